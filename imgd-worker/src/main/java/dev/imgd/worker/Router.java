package dev.imgd.worker;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Sends each job to the first pool whose libvips reads its input format and writes its output
 * format: JPEG to WebP on the fast build, JPEG to JPEG XL or HEIC on the system's.
 */
final class Router {
  private final List<WorkerPool> pools;

  /**
   * @param pools preferred first
   */
  Router(List<WorkerPool> pools) {
    this.pools = List.copyOf(pools);
  }

  Set<ImageFormat> reads() {
    Set<ImageFormat> reads = EnumSet.noneOf(ImageFormat.class);
    pools.forEach(p -> reads.addAll(p.reads));
    return Set.copyOf(reads);
  }

  /** What some pool that reads {@code input} writes. */
  Set<ImageFormat> writes(ImageFormat input) {
    Set<ImageFormat> writes = EnumSet.noneOf(ImageFormat.class);
    pools.stream().filter(p -> p.reads.contains(input)).forEach(p -> writes.addAll(p.writes));
    return Set.copyOf(writes);
  }

  /** The pool for a job that only reads (a measure). */
  WorkerPool route(ImageFormat input) {
    return pools.stream()
        .filter(p -> p.reads.contains(input))
        .findFirst()
        .orElseThrow(() ->
            new ImgdException(
                ErrorCode.UNSUPPORTED_FORMAT, input + " input: no worker's libvips reads it"));
  }

  WorkerPool route(ImageFormat input, ImageFormat output) {
    return pools.stream()
        .filter(p -> p.reads.contains(input) && p.writes.contains(output))
        .findFirst()
        .orElseThrow(() ->
            new ImgdException(
                ErrorCode.UNSUPPORTED_FORMAT,
                "%s input to %s output: no worker's libvips does both".formatted(input, output)));
  }
}
