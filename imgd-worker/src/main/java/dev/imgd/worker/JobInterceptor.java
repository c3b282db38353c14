package dev.imgd.worker;

/**
 * The seam for fault injection: a worker calls the one it finds (java.util.ServiceLoader) before
 * each job. Production code has none; tests register one on their classpath, which the workers they
 * start inherit, to make a worker hang, spin, grow or crash on demand (FM-15, FM-16, FM-20).
 */
interface JobInterceptor {
  /**
   * Called in the worker with a job's source before the job runs; may misbehave, or throw an
   * ImgdException to fail the job.
   */
  void beforeJob(byte[] source);
}
