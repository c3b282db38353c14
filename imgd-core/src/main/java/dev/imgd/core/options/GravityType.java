package dev.imgd.core.options;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** Where to anchor a crop, an embed or a watermark, as imgproxy's gravity types. */
public enum GravityType {
  CENTER("ce"),
  NORTH("no"),
  EAST("ea"),
  SOUTH("so"),
  WEST("we"),
  NORTH_WEST("nowe"),
  NORTH_EAST("noea"),
  SOUTH_WEST("sowe"),
  SOUTH_EAST("soea"),
  /** libvips finds the most interesting region ({@code vips_smartcrop}); crops only. */
  SMART("sm"),
  /** A focus point given as fractions of the width and height. */
  FOCUS_POINT("fp"),
  /** Tile the watermark over the whole image; watermarks only. */
  REPLICATE("re"),
  /**
   * Tile the watermark in a chessboard pattern: every other tile, the centre one marked; watermarks
   * only (imgproxy Pro).
   */
  CHESS("ch");

  /** The nine compass positions, declared first: centre, then north round to south-east. */
  private static final Set<GravityType> COMPASS = EnumSet.range(CENTER, SOUTH_EAST);

  private final String id;

  GravityType(String id) {
    this.id = id;
  }

  /** The name used in URLs, e.g. "soea". */
  public String id() {
    return id;
  }

  /** One of the nine compass positions, which take pixel or relative offsets. */
  public boolean isCompass() {
    return COMPASS.contains(this);
  }

  /**
   * Whether it tiles a watermark over the image ({@code re}, {@code ch}) instead of placing one.
   */
  public boolean tiles() {
    return this == REPLICATE || this == CHESS;
  }

  boolean isNorthern() {
    return this == NORTH || this == NORTH_EAST || this == NORTH_WEST;
  }

  boolean isSouthern() {
    return this == SOUTH || this == SOUTH_EAST || this == SOUTH_WEST;
  }

  boolean isEastern() {
    return this == EAST || this == NORTH_EAST || this == SOUTH_EAST;
  }

  boolean isWestern() {
    return this == WEST || this == NORTH_WEST || this == SOUTH_WEST;
  }

  /** The type with the given URL name. */
  public static Optional<GravityType> fromId(String id) {
    for (GravityType t : values()) {
      if (t.id.equals(id)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
