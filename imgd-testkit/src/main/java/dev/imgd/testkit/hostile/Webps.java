package dev.imgd.testkit.hostile;

import static dev.imgd.testkit.hostile.Bytes.ascii;
import static dev.imgd.testkit.hostile.Bytes.concat;
import static dev.imgd.testkit.hostile.Bytes.hex;
import static dev.imgd.testkit.hostile.Bytes.le24;
import static dev.imgd.testkit.hostile.Bytes.le32;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.CLEAN;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.CORRUPT_IMAGE;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.DECODER_MUST_REJECT;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.LIMIT_EXCEEDED;
import static dev.imgd.testkit.hostile.HostileFiles.add;

import dev.imgd.testkit.hostile.HostileFile.Expectation;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/** WebP: VP8, VP8L and VP8X canvas floods, ANMF floods, a lossless bomb, truncations, metadata. */
final class Webps {
  /**
   * A 24x24 lossy WebP (simple format, one VP8 chunk) made with libvips; ImageIO cannot write WebP.
   */
  static final byte[] WEBP =
      Base64.getDecoder()
          .decode(
              "UklGRh4BAABXRUJQVlA4IBIBAACQBgCdASoYABgAPxF+tVWsJ6SjKAgBgCIJaQAOcHYDKB4AcSve7GJ84wm3"
                  + "Y7IIqyVw85s5F9hIO/MhzAKAAN4oukGOjaGQCueU4jPp62eyXVtQwiUUZnmPL/1XAjBT55F/qnlFFKPC"
                  + "MZF6XxrS478sfnRGnbMlV/QHsgEwm84L54TefD/70kf3SN0T/oKFTXqSWnG/0TGFcv/vYTMgodkIOlsu"
                  + "gVGcQYHobDclO+jPWIaPt8K3XFTqaH4AgGV0o/kjtT/t3jNMFfFdKif5CUekSHhpKVRPrgTJwz87NzAj"
                  + "r0xhKpUq3RKhZ2bYeQanbLSgpoYJy3AZQBFh0uSAjI8dzKEOanDXBsZJ9eJVcsdgAAAA");

  /**
   * A 1x1 lossless bitstream (a VP8L chunk, made with libvips): no transform, and prefix codes of
   * one symbol each, so every pixel costs zero bits whatever size the header claims.
   */
  private static final byte[] VP8L_1X1 = hex("5650384c0e0000002f00000000071011fd0f4444ff03");

  private Webps() {}

  static void files(List<HostileFile> files) {
    add(files, "webp-vp8x-16383x16383", "FM-01", vp8xCanvas(16383, 16383), LIMIT_EXCEEDED);
    add(files, "webp-vp8-16383x16383", "FM-01", riff(vp8Sized(16383, 16383)), LIMIT_EXCEEDED);
    add(files, "webp-vp8l-16384x16384", "FM-01", riff(vp8l(16384, 16384)), LIMIT_EXCEEDED);
    // A 100x100 canvas around a frame header of 16383x16383: the decoder must refuse the mismatch.
    add(
        files,
        "webp-vp8x-100x100-around-vp8-16383x16383",
        "FM-01",
        riff(vp8x(0, 100, 100), vp8Sized(16383, 16383)),
        DECODER_MUST_REJECT);
    // A decompression bomb under the limits: 49 MP of one colour in a few bytes of VP8L.
    add(files, "webp-vp8l-bomb-7000x7000", "FM-01", riff(vp8l(7000, 7000)), CLEAN);
    add(files, "webp-1000-anmf-frames", "FM-01", animation(1, 1, 1000, 1, 1), LIMIT_EXCEEDED);
    add(
        files,
        "webp-anmf-16384x16384-on-100x100",
        "FM-01",
        animation(100, 100, 1, 16384, 16384),
        LIMIT_EXCEEDED);

    truncate(files, 16, CORRUPT_IMAGE); // inside the VP8 chunk header
    truncate(files, 26, CORRUPT_IMAGE); // before the frame size
    truncate(files, 200, DECODER_MUST_REJECT);

    byte[] vp8 = Arrays.copyOfRange(WEBP, 12, WEBP.length);
    add(
        files,
        "webp-exif-ifd-loop",
        "FM-17",
        riff(vp8x(0x08, 24, 24), vp8, chunk("EXIF", Metadata.exifSelfLoop())),
        CLEAN);
    add(
        files,
        "webp-iccp-5mb",
        "FM-17",
        riff(vp8x(0x20, 24, 24), chunk("ICCP", new byte[5 << 20]), vp8),
        LIMIT_EXCEEDED);
  }

  private static void truncate(List<HostileFile> files, int length, Expectation e) {
    add(files, "webp-truncated-at-" + length, "FM-11", Arrays.copyOf(WEBP, length), e);
  }

  /** The small WebP with both its VP8X canvas and its VP8 frame header claiming the size. */
  private static byte[] vp8xCanvas(int width, int height) {
    return riff(vp8x(0, width, height), vp8Sized(width, height));
  }

  /** The small WebP's VP8 chunk with its frame header claiming the size. */
  private static byte[] vp8Sized(int width, int height) {
    byte[] vp8 = Arrays.copyOfRange(WEBP, 12, WEBP.length);
    vp8[8 + 6] = (byte) width;
    vp8[8 + 7] = (byte) (width >> 8 & 0x3F);
    vp8[8 + 8] = (byte) height;
    vp8[8 + 9] = (byte) (height >> 8 & 0x3F);
    return vp8;
  }

  /** The 1x1 VP8L chunk with its header claiming width x height (each at most 16384). */
  private static byte[] vp8l(int width, int height) {
    byte[] vp8l = VP8L_1X1.clone();
    long bits = (width - 1L) | (height - 1L) << 14 | (vp8l[8 + 4] & 0xF0L) << 24;
    byte[] size = le32((int) bits);
    System.arraycopy(size, 0, vp8l, 8 + 1, 4);
    return vp8l;
  }

  private static byte[] animation(
      int width, int height, int frames, int frameWidth, int frameHeight) {
    byte[] anmf =
        chunk(
            "ANMF",
            concat(
                le24(0),
                le24(0),
                le24(frameWidth - 1),
                le24(frameHeight - 1),
                le24(100),
                new byte[1],
                VP8L_1X1));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(vp8x(0x12, width, height)); // alpha, animation
    out.writeBytes(chunk("ANIM", new byte[6]));
    for (int i = 0; i < frames; i++) {
      out.writeBytes(anmf);
    }
    return riff(out.toByteArray());
  }

  private static byte[] vp8x(int flags, int width, int height) {
    return chunk(
        "VP8X", concat(new byte[] {(byte) flags, 0, 0, 0}, le24(width - 1), le24(height - 1)));
  }

  private static byte[] chunk(String type, byte[] data) {
    return concat(ascii(type), le32(data.length), data, new byte[data.length & 1]);
  }

  static byte[] riff(byte[]... chunks) {
    byte[] body = concat(chunks);
    return concat(ascii("RIFF"), le32(4 + body.length), ascii("WEBP"), body);
  }
}
