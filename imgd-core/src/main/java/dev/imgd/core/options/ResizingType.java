package dev.imgd.core.options;

import java.util.Optional;

/** How the image is fitted into the requested box, as imgproxy's {@code resizing_type}. */
public enum ResizingType {
  /** Keep the aspect ratio and fit inside the box. */
  FIT("fit"),
  /** Keep the aspect ratio, cover the box and crop what sticks out. */
  FILL("fill"),
  /** As {@link #FILL}, but never enlarge: a smaller result is cropped to the box's aspect ratio. */
  FILL_DOWN("fill-down"),
  /** Scale each axis separately, ignoring the aspect ratio. */
  FORCE("force"),
  /** {@link #FILL} when source and box have the same orientation, else {@link #FIT}. */
  AUTO("auto");

  private final String id;

  ResizingType(String id) {
    this.id = id;
  }

  /** The name used in URLs, e.g. "fill-down". */
  public String id() {
    return id;
  }

  /** The type with the given URL name. */
  public static Optional<ResizingType> fromId(String id) {
    for (ResizingType t : values()) {
      if (t.id.equals(id)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
