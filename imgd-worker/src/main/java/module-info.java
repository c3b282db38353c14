/**
 * The isolated engine: {@link dev.imgd.worker.IsolatedEngine} runs each image in a worker process
 * that can be killed and replaced; the rest of the package (routing, quarantine, watchdog, the wire
 * protocol) is package-private.
 */
module dev.imgd.worker {
  requires static transitive org.jspecify;
  requires transitive dev.imgd.core;
  requires dev.imgd.vips;
  requires com.github.benmanes.caffeine;
  requires org.slf4j;

  exports dev.imgd.worker;
}
