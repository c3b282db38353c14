/**
 * The libvips binding through the FFM API: loading a libvips build, its operations and images. An
 * internal module: only imgd's own modules read it; applications use {@code dev.imgd.core}.
 */
// The modules named in qualified exports compile after this one: javac cannot see them yet.
@SuppressWarnings("module")
module dev.imgd.vips {
  requires static transitive org.jspecify;
  requires org.slf4j;

  exports dev.imgd.vips to
      dev.imgd.core,
      dev.imgd.worker,
      dev.imgd.server,
      dev.imgd.cli;
}
