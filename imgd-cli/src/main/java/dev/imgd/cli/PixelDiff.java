package dev.imgd.cli;

import dev.imgd.core.ImageFormat;
import dev.imgd.vips.VipsException;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import dev.imgd.vips.VipsScope;
import java.util.Objects;
import java.util.Optional;

/**
 * The pixel difference of two outputs of one operation, with libvips in this process (the
 * launcher's build, whichever builds made the outputs, so both are decoded alike): each output
 * decoded (every frame of an animation, as one strip), grey made sRGB, alpha flattened on white,
 * both taken to CIE Lab, and libvips' {@code dE00} (CIEDE2000) per pixel, averaged and its maximum
 * taken. Under 1 is invisible, 1-2 visible only side by side, above 10 another colour.
 */
final class PixelDiff implements AutoCloseable {
  /** The preview width in the HTML report. */
  private static final int PREVIEW_WIDTH = 480;

  /** ΔE that the diff image shows at full heat. */
  private static final double HEAT_FULL = 10;

  /**
   * The ΔE2000 of two outputs of the same size.
   *
   * @param mean over every pixel (of every frame)
   * @param max of the worst pixel
   */
  record DeltaE(double mean, double max) {}

  /** The outputs as PNG previews and the ΔE per pixel as a heat image, for the HTML report. */
  // Payload for the report, never compared.
  @SuppressWarnings("ArrayRecordComponent")
  record Previews(byte[] a, byte[] b, byte[] heat) {}

  private final VipsScope made = new VipsScope();
  private final VipsImage labA;
  private final VipsImage labB;

  /** Both outputs decoded, in Lab; the attempts must hold their outputs. */
  private PixelDiff(CompareSide.Attempt a, CompareSide.Attempt b) {
    this.labA = flat(decode(a));
    this.labB = flat(decode(b));
  }

  /**
   * The ΔE2000 of {@code a}'s output against {@code b}'s; empty with the reason when it cannot be
   * computed here (no decoder in this process for the format, or sizes that differ).
   */
  static Outcome measure(CompareSide.Attempt a, CompareSide.Attempt b) {
    Engines.startVips();
    try (PixelDiff d = new PixelDiff(a, b)) {
      if (d.labA.width() != d.labB.width() || d.labA.height() != d.labB.height()) {
        return new Outcome(
            Optional.empty(),
            "sizes differ: %dx%d and %dx%d"
                .formatted(d.labA.width(), d.labA.height(), d.labB.width(), d.labB.height()));
      }
      VipsImage de = d.deltaE();
      try (VipsOperation.Outputs avg = VipsOperation.of("avg").in(de).call("out");
          VipsOperation.Outputs max = VipsOperation.of("max").in(de).call("out")) {
        return new Outcome(
            Optional.of(new DeltaE(avg.doubleValue("out"), max.doubleValue("out"))), "");
      }
    } catch (VipsException | UnsupportedOperationException e) {
      return new Outcome(Optional.empty(), "not decodable in this process: " + Main.oneLine(e));
    }
  }

  /**
   * The ΔE, or why there is none.
   *
   * @param why empty when there is a ΔE
   */
  record Outcome(Optional<DeltaE> deltaE, String why) {}

  /** Both outputs and their difference as PNGs at most {@link #PREVIEW_WIDTH} wide. */
  static Previews previews(CompareSide.Attempt a, CompareSide.Attempt b) {
    Engines.startVips();
    try (PixelDiff d = new PixelDiff(a, b)) {
      VipsImage heat =
          d.keep(
              VipsOperation.of("linear")
                  .in(d.deltaE())
                  .set("a", new double[] {255 / HEAT_FULL})
                  .set("b", new double[] {0})
                  .set("uchar", true)
                  .image());
      return new Previews(
          d.png(d.srgb(d.labA)),
          d.png(d.srgb(d.labB)),
          d.png(d.keep(VipsOperation.of("falsecolour").in(heat).image())));
    }
  }

  private VipsImage decode(CompareSide.Attempt output) {
    byte[] bytes = Objects.requireNonNull(output.bytes(), "an output");
    ImageFormat format = Objects.requireNonNull(output.format(), "an output");
    String loader =
        format
            .loader()
            .orElseThrow(
                () -> new UnsupportedOperationException("no libvips loader for " + format));
    VipsOperation load = VipsOperation.of(loader).set("buffer", bytes);
    if (format.has(ImageFormat.Trait.ANIMATION)) {
      load.set("n", -1); // every frame, as one strip
    }
    return keep(load.image());
  }

  /** sRGB (or 16-bit RGB), alpha flattened on white, in Lab. */
  private VipsImage flat(VipsImage in) {
    VipsImage rgb =
        in.bands() < 3
            ? keep(VipsOperation.of("colourspace").in(in).set("space", "srgb").image())
            : in;
    if (rgb.hasAlpha()) {
      double white = rgb.format().equals("ushort") ? 65535 : 255;
      rgb =
          keep(
              VipsOperation.of("flatten")
                  .in(rgb)
                  .set("background", new double[] {white, white, white})
                  .set("max_alpha", white)
                  .image());
    }
    return keep(VipsOperation.of("colourspace").in(rgb).set("space", "lab").image());
  }

  private VipsImage deltaE() {
    return keep(VipsOperation.of("dE00").set("left", labA).set("right", labB).image());
  }

  private VipsImage srgb(VipsImage lab) {
    return keep(VipsOperation.of("colourspace").in(lab).set("space", "srgb").image());
  }

  private byte[] png(VipsImage image) {
    VipsImage small =
        image.width() <= PREVIEW_WIDTH
            ? image
            : keep(
                VipsOperation.of("thumbnail_image")
                    .in(image)
                    .set("width", PREVIEW_WIDTH)
                    .set("height", 10_000_000)
                    .image());
    return VipsOperation.of("pngsave_buffer").in(small).bytes();
  }

  private VipsImage keep(VipsImage image) {
    return made.keep(image);
  }

  @Override
  public void close() {
    made.close();
  }
}
