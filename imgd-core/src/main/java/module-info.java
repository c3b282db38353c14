/**
 * imgd as a library: {@link dev.imgd.core.Imgd} probes, plans and processes images in this process
 * ({@code dev.imgd.core}), with options in imgproxy's URL language ({@code dev.imgd.core.options}),
 * plans ({@code dev.imgd.core.plan}) and the pure-Java probe ({@code dev.imgd.core.probe}). The
 * pipeline's steps are the engine's implementation: only the isolated worker runs them directly.
 */
// The modules named in qualified exports compile after this one: javac cannot see them yet.
@SuppressWarnings("module")
module dev.imgd.core {
  requires static transitive org.jspecify;
  requires dev.imgd.vips;
  requires java.xml; // the SVG sanitizer's parser
  requires org.slf4j;

  exports dev.imgd.core;
  exports dev.imgd.core.options;
  exports dev.imgd.core.plan;
  exports dev.imgd.core.probe;
  exports dev.imgd.core.pipeline to
      dev.imgd.worker;
}
