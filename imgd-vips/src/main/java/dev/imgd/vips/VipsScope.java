package dev.imgd.vips;

import java.util.ArrayDeque;
import java.util.Deque;

/** Images made on the way through a computation, closed together, newest first, when it ends. */
public final class VipsScope implements AutoCloseable {
  private final Deque<VipsImage> made = new ArrayDeque<>();

  /** Returns {@code image}, to be closed with this scope. */
  public VipsImage keep(VipsImage image) {
    made.push(image);
    return image;
  }

  @Override
  public void close() {
    while (!made.isEmpty()) {
      made.pop().close();
    }
  }
}
