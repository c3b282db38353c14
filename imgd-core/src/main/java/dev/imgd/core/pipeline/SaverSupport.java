package dev.imgd.core.pipeline;

import dev.imgd.vips.VipsException;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import java.util.Arrays;

/**
 * What the loaded libvips' savers really do where their argument lists do not tell: a libvips on
 * libjpeg-turbo takes mozjpeg's arguments and ignores them with a warning, and one without a
 * quantiser cannot write a palette. Each is found once per process by saving a small image.
 */
final class SaverSupport {
  private SaverSupport() {}

  /** Whether jpegsave honours mozjpeg's options (here: another quantisation table). */
  static boolean mozjpeg() {
    return Found.MOZJPEG;
  }

  /** Whether pngsave writes a palette image when asked. */
  static boolean quantises() {
    return Found.QUANTISES;
  }

  private static final class Found {
    static final boolean MOZJPEG = findMozjpeg();
    static final boolean QUANTISES = findQuantiser();

    private static boolean findMozjpeg() {
      try (VipsImage pattern = pattern()) {
        byte[] annexK = VipsOperation.of("jpegsave_buffer").in(pattern).bytes();
        byte[] flat = VipsOperation.of("jpegsave_buffer").in(pattern).set("quant_table", 3).bytes();
        return !Arrays.equals(annexK, flat);
      } catch (VipsException e) {
        return false;
      }
    }

    private static boolean findQuantiser() {
      try (VipsImage pattern = pattern()) {
        byte[] png =
            VipsOperation.of("pngsave_buffer")
                .in(pattern)
                .set("palette", true)
                .set("bitdepth", 8)
                .bytes();
        return png.length > 25 && png[25] == 3; // IHDR colour type 3: indexed
      } catch (VipsException e) {
        return false;
      }
    }

    /** 16x16 RGB with every pixel different. */
    private static VipsImage pattern() {
      byte[] rgb = new byte[16 * 16 * 3];
      for (int i = 0; i < rgb.length; i++) {
        rgb[i] = (byte) (i * 37 + (i / 48) * 11);
      }
      return VipsImage.fromPixels(rgb, 16, 16, 3);
    }
  }
}
