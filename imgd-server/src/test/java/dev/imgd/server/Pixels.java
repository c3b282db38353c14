package dev.imgd.server;

import dev.imgd.core.probe.Probe;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test images made with libvips, and the properties of an answer: its decoded interpretation, band
 * format and pixel values. imgproxy's colour tests use 8 and 16-bit, RGB and grey images; these are
 * generated rather than copied.
 */
final class Pixels {
  private Pixels() {}

  /**
   * A PNG ramp: each band {@code from[i]} at the left to {@code to[i]} at the right, in 8 bits
   * ("uchar") or 16 ("ushort"); one band is grey.
   */
  static byte[] ramp(int width, int height, String format, double[] from, double[] to) {
    double[] a = new double[from.length];
    for (int i = 0; i < a.length; i++) {
      a[i] = to[i] - from[i];
    }
    boolean deep = "ushort".equals(format);
    String space = from.length >= 3 ? (deep ? "rgb16" : "srgb") : (deep ? "grey16" : "b-w");
    try (VipsImage grey =
            VipsOperation.of("grey").set("width", width).set("height", height).image();
        VipsImage bands = VipsOperation.of("linear").in(grey).set("a", a).set("b", from).image();
        VipsImage cast = VipsOperation.of("cast").in(bands).set("format", format).image();
        VipsImage tagged = VipsOperation.of("copy").in(cast).set("interpretation", space).image()) {
      return VipsOperation.of("pngsave_buffer").in(tagged).bytes();
    }
  }

  /** An 8-bit RGB PNG full of detail (libvips' "eye" pattern), for filters. */
  static byte[] detailed(int width, int height) {
    try (VipsImage eye = VipsOperation.of("eye").set("width", width).set("height", height).image();
        VipsImage rgb =
            VipsOperation.of("linear")
                .in(eye)
                .set("a", new double[] {127, 100, 60})
                .set("b", new double[] {128, 120, 90})
                .image();
        VipsImage cast = VipsOperation.of("cast").in(rgb).set("format", "uchar").image();
        VipsImage tagged =
            VipsOperation.of("copy").in(cast).set("interpretation", "srgb").image()) {
      return VipsOperation.of("pngsave_buffer").in(tagged).bytes();
    }
  }

  /** An 8-bit RGB PNG of one-pixel black and white columns, the finest detail there is. */
  static byte[] stripes(int width, int height) {
    try (VipsImage xy = VipsOperation.of("xyz").set("width", width).set("height", height).image();
        VipsImage x = VipsOperation.of("extract_band").in(xy).set("band", 0).image();
        VipsImage odd =
            VipsOperation.of("remainder_const").in(x).set("c", new double[] {2}).image();
        VipsImage rgb =
            VipsOperation.of("linear")
                .in(odd)
                .set("a", new double[] {255, 255, 255})
                .set("b", new double[] {0, 0, 0})
                .image();
        VipsImage cast = VipsOperation.of("cast").in(rgb).set("format", "uchar").image();
        VipsImage tagged =
            VipsOperation.of("copy").in(cast).set("interpretation", "srgb").image()) {
      return VipsOperation.of("pngsave_buffer").in(tagged).bytes();
    }
  }

  /** A 20x20 8-bit PNG of one colour: grey, grey+alpha, RGB or RGBA values. */
  static byte[] solid(double... values) {
    return ramp(20, 20, "uchar", values, values);
  }

  static void write(Path root, String name, byte[] bytes) throws IOException {
    Files.write(root.resolve(name), bytes);
  }

  /** What an answer decodes to. */
  record Decoded(int width, int height, int bands, String format, String interpretation) {}

  static Decoded decode(byte[] image) {
    try (VipsImage img = load(image)) {
      return new Decoded(
          img.width(), img.height(), img.bands(), img.format(), img.interpretation());
    }
  }

  /** The samples of the pixel at (x, y), 8 or 16-bit as stored. */
  static int[] at(byte[] image, int x, int y) {
    try (VipsImage img = load(image);
        VipsImage one =
            VipsOperation.of("extract_area")
                .set("input", img)
                .set("left", x)
                .set("top", y)
                .set("width", 1)
                .set("height", 1)
                .image()) {
      byte[] raw = one.pixels();
      int[] v = new int[one.bands()];
      boolean deep = "ushort".equals(one.format());
      ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
      for (int i = 0; i < v.length; i++) {
        v[i] = deep ? Short.toUnsignedInt(b.getShort(i * 2)) : Byte.toUnsignedInt(raw[i]);
      }
      return v;
    }
  }

  private static VipsImage load(byte[] image) {
    return VipsOperation.of(Probe.read(image).format().loader().orElseThrow())
        .set("buffer", image)
        .image();
  }
}
