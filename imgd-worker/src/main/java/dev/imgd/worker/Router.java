package dev.imgd.worker;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Sends each input format to the first pool whose libvips reads it. */
final class Router {
  private final Map<ImageFormat, WorkerPool> routes = new EnumMap<>(ImageFormat.class);

  /**
   * @param pools preferred first
   */
  Router(List<WorkerPool> pools) {
    for (WorkerPool pool : pools) {
      for (ImageFormat f : pool.reads) {
        routes.putIfAbsent(f, pool);
      }
    }
  }

  Set<ImageFormat> reads() {
    return Set.copyOf(routes.keySet());
  }

  Set<ImageFormat> writes(ImageFormat input) {
    WorkerPool pool = routes.get(input);
    return pool == null ? Set.of() : Set.copyOf(pool.writes);
  }

  WorkerPool route(ImageFormat input) {
    WorkerPool pool = routes.get(input);
    if (pool == null) {
      throw new ImgdException(
          ErrorCode.UNSUPPORTED_FORMAT, input + " input: no worker's libvips reads it");
    }
    return pool;
  }
}
