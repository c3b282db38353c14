package dev.imgd.core;

/**
 * What imgd agrees to decode and produce. Every check runs on the probe's reading of the header,
 * before any byte reaches a decoder (FM-01), so a violation costs milliseconds.
 *
 * @param maxSourcePixels width x height of the largest frame or page (default 50 MP)
 * @param maxSourceSide the longest side of any frame or page
 * @param maxFrames frames of an animation or pages of a document
 * @param maxTotalPixels frames x pixels across an animation or every page loaded
 * @param maxProgressivePixels a lower pixel cap for progressive JPEG, whose decoder must hold every
 *     coefficient of the whole image at once
 * @param maxProgressiveScans SOS segments in a JPEG (a scan flood takes minutes to decode)
 * @param maxMetadataBytes any one ICC, EXIF or XMP segment, summed over its parts
 * @param maxResultPixels width x height of the result
 * @param maxResultSide the longest side of the result
 */
public record Limits(
    long maxSourcePixels,
    int maxSourceSide,
    int maxFrames,
    long maxTotalPixels,
    long maxProgressivePixels,
    int maxProgressiveScans,
    int maxMetadataBytes,
    long maxResultPixels,
    int maxResultSide) {

  /** The defaults, as {@link #builder()} starts with them. */
  public static final Limits DEFAULTS = builder().build();

  public Limits {
    positive("maxSourcePixels", maxSourcePixels);
    positive("maxSourceSide", maxSourceSide);
    positive("maxFrames", maxFrames);
    positive("maxTotalPixels", maxTotalPixels);
    positive("maxProgressivePixels", maxProgressivePixels);
    positive("maxProgressiveScans", maxProgressiveScans);
    positive("maxMetadataBytes", maxMetadataBytes);
    positive("maxResultPixels", maxResultPixels);
    positive("maxResultSide", maxResultSide);
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be > 0: " + value);
    }
  }

  /** A builder holding the defaults, for changing a few of them. */
  public static Builder builder() {
    return new Builder();
  }

  /** Changes some limits, starting from the defaults; {@link #build} checks them all. */
  public static final class Builder {
    private long maxSourcePixels = 50_000_000L;
    private int maxSourceSide = 16_384;
    private int maxFrames = 256;
    private long maxTotalPixels = 200_000_000L;
    private long maxProgressivePixels = 30_000_000L;
    private int maxProgressiveScans = 100;
    private int maxMetadataBytes = 4 << 20;
    private long maxResultPixels = 50_000_000L;
    private int maxResultSide = 16_384;

    private Builder() {}

    public Builder maxSourcePixels(long v) {
      maxSourcePixels = v;
      return this;
    }

    public Builder maxSourceSide(int v) {
      maxSourceSide = v;
      return this;
    }

    public Builder maxFrames(int v) {
      maxFrames = v;
      return this;
    }

    public Builder maxTotalPixels(long v) {
      maxTotalPixels = v;
      return this;
    }

    public Builder maxProgressivePixels(long v) {
      maxProgressivePixels = v;
      return this;
    }

    public Builder maxProgressiveScans(int v) {
      maxProgressiveScans = v;
      return this;
    }

    public Builder maxMetadataBytes(int v) {
      maxMetadataBytes = v;
      return this;
    }

    public Builder maxResultPixels(long v) {
      maxResultPixels = v;
      return this;
    }

    public Builder maxResultSide(int v) {
      maxResultSide = v;
      return this;
    }

    public Limits build() {
      return new Limits(
          maxSourcePixels,
          maxSourceSide,
          maxFrames,
          maxTotalPixels,
          maxProgressivePixels,
          maxProgressiveScans,
          maxMetadataBytes,
          maxResultPixels,
          maxResultSide);
    }
  }
}
