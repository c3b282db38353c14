package dev.imgd.core;

import dev.imgd.core.pipeline.Pipeline;
import dev.imgd.core.plan.Encoded;
import dev.imgd.core.plan.Page;
import dev.imgd.core.plan.Plan;
import dev.imgd.vips.KillSwitch;
import dev.imgd.vips.VipsThreads;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/** The pipeline on a bounded pool of platform threads in this process (libvips must be started). */
final class InProcessEngine implements Engine {
  private final ExecutorService pool;
  private final Set<ImageFormat> reads;
  private final Set<ImageFormat> writes;

  InProcessEngine(int threads) {
    if (threads < 1 || threads > 1024) {
      throw new IllegalArgumentException("threads must be in [1, 1024]: " + threads);
    }
    this.reads = ImageFormat.readable(EnumSet.of(ImageFormat.Reach.IN_PROCESS));
    this.writes = ImageFormat.writable();
    this.pool = VipsThreads.pool("imgd-engine", threads);
  }

  @Override
  public Set<ImageFormat> reads() {
    return Set.copyOf(reads);
  }

  @Override
  public Set<ImageFormat> writes(ImageFormat input) {
    return Set.copyOf(writes);
  }

  /**
   * Runs the plan on a pool thread until the deadline. Past it, the job's libvips work is told to
   * stop (the kill flag of its images), so its threads go idle within a tile and the pool thread is
   * free for the next job; a job still queued never starts.
   */
  @Override
  public Encoded run(byte[] source, Plan plan, byte @Nullable [] watermark, Instant deadline) {
    KillSwitch stop = new KillSwitch();
    Future<Encoded> job =
        pool.submit(() -> stop.run(() -> Pipeline.run(source, plan, watermark).encoded()));
    try {
      long wait = Math.max(0, Duration.between(Instant.now(), deadline).toNanos());
      return job.get(wait, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      stop.kill();
      job.cancel(true);
      throw new ImgdException(
          ErrorCode.DEADLINE_EXCEEDED, "the image was not ready by the deadline", e);
    } catch (InterruptedException e) {
      stop.kill();
      job.cancel(true);
      Thread.currentThread().interrupt();
      throw new ImgdException(ErrorCode.DEADLINE_EXCEEDED, "interrupted while processing", e);
    } catch (CancellationException e) {
      throw new ImgdException(ErrorCode.DEADLINE_EXCEEDED, "processing was cancelled", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ImgdException ie) {
        throw ie;
      }
      throw new ImgdException(ErrorCode.ENGINE_FAILED, "image processing failed", e.getCause());
    }
  }

  @Override
  public Page measure(byte[] source, ImageFormat format, int page, Instant deadline) {
    throw new ImgdException(
        ErrorCode.UNSUPPORTED_FORMAT,
        format + " input is handled only by isolated workers, not in-process");
  }

  @Override
  public void close() {
    pool.shutdown();
  }
}
