package dev.imgd.core.bmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.core.Limits;
import dev.imgd.core.probe.Probe;
import dev.imgd.core.probe.ProbeResult;
import dev.imgd.testkit.Fixtures;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.plugins.bmp.BMPImageWriteParam;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * imgd's BMP and ICO codec against an independent one: the JDK's ImageIO BMP writer makes every bit
 * depth and compression it can (and reads what imgd writes); what it cannot make (2 bits, a core
 * header, 32 bits with alpha, icons) is written here byte by byte. The hostile cases: imgproxy's
 * integration_test/bmp_overflow_test.go (bit depth 40), truncation, a palette index out of range,
 * dimensions that would flood memory (FM-01), all typed errors.
 */
class BmpCodecTest {
  private static final int W = 37; // odd: every row is padded
  private static final int H = 23;

  /** Every bit depth and compression ImageIO writes, decoded to ImageIO's own pixels. */
  @ParameterizedTest(name = "{0} bits, {1}, top-down {2}")
  @CsvSource({
    "24, BI_RGB, false",
    "24, BI_RGB, true",
    "8, BI_RGB, false",
    "8, BI_RLE8, false",
    "4, BI_RGB, false",
    "1, BI_RGB, false",
    "16, BI_RGB, false",
    "16, BI_BITFIELDS, false",
    "32, BI_BITFIELDS, false",
  })
  void decodesWhatImageIoWrites(int bits, String compression, boolean topDown) throws IOException {
    BufferedImage image = image(bits, compression);
    byte[] bmp = imageIo(image, compression, topDown);
    ProbeResult p = Probe.check(bmp, Limits.DEFAULTS);
    assertThat(p.format()).isEqualTo(ImageFormat.BMP);
    assertThat(p.width()).isEqualTo(W);
    assertThat(p.height()).isEqualTo(H);
    BmpDecoder.Pixels decoded = BmpDecoder.bmp(bmp);
    assertThat(decoded.bands()).isEqualTo(p.bands());
    assertSamePixels(decoded, image);
  }

  /** 2 bits per pixel and the 12-byte core header (OS/2), by hand. */
  @Test
  void decodesTwoBitsAndACoreHeader() {
    int[] palette = {0xFF0000, 0x00FF00, 0x0000FF, 0xFFFFFF};
    int[] indices = new int[W * H];
    Random random = new Random(2);
    for (int i = 0; i < indices.length; i++) {
      indices[i] = random.nextInt(4);
    }
    for (boolean core : new boolean[] {false, true}) {
      byte[] bmp = paletted(2, palette, indices, core);
      BmpDecoder.Pixels d = BmpDecoder.bmp(bmp);
      assertThat(d.bands()).isEqualTo(3);
      for (int i = 0; i < indices.length; i++) {
        assertThat(rgb(d, i)).as("pixel %d, core %s", i, core).isEqualTo(palette[indices[i]]);
      }
    }
  }

  /**
   * RLE4 by hand (the JDK's RLE4 writer writes rows it cannot read back): runs, literal stretches
   * with and without padding, a delta over pixels that keep the first colour, the end marker.
   */
  @Test
  void decodesRle4() {
    int[] palette = new int[16];
    for (int i = 0; i < 16; i++) {
      palette[i] = i * 0x111111;
    }
    ByteBuffer b = ByteBuffer.allocate(14 + 40 + 64 + 22).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 'B').put((byte) 'M').putInt(b.capacity()).putInt(0).putInt(14 + 40 + 64);
    b.putInt(40).putInt(8).putInt(2).putShort((short) 1).putShort((short) 4).putInt(2);
    b.putInt(22).putInt(0).putInt(0).putInt(16).putInt(0);
    for (int c : palette) {
      b.putInt(c);
    }
    b.put(HexFormat.of().parseHex("0412" + "00033450" + "0160" + "0000")); // the bottom row
    b.put(HexFormat.of().parseHex("00020300" + "0005789ab000" + "0001")); // the top row, the end
    BmpDecoder.Pixels d = BmpDecoder.bmp(b.array());
    int[] expected = {0, 0, 0, 7, 8, 9, 10, 11, 1, 2, 1, 2, 3, 4, 5, 6};
    for (int i = 0; i < expected.length; i++) {
      assertThat(rgb(d, i)).as("pixel %d", i).isEqualTo(palette[expected[i]]);
    }
  }

  /** 32 bits with alpha, as imgd writes it, read back by imgd and (colours) by ImageIO. */
  @Test
  void writesAndReadsRgbAndRgba() throws IOException {
    for (int bands : new int[] {3, 4}) {
      byte[] pixels = new byte[W * H * bands];
      new Random(bands).nextBytes(pixels);
      byte[] bmp = BmpEncoder.bmp(pixels, W, H, bands);
      BmpDecoder.Pixels d = BmpDecoder.bmp(bmp);
      assertThat(d.bands()).isEqualTo(bands);
      assertThat(d.data()).isEqualTo(pixels);
      BufferedImage read = ImageIO.read(new ByteArrayInputStream(bmp));
      assertThat(read.getWidth()).isEqualTo(W);
      for (int i = 0; i < W * H; i++) {
        int expected =
            (pixels[i * bands] & 0xFF) << 16
                | (pixels[i * bands + 1] & 0xFF) << 8
                | (pixels[i * bands + 2] & 0xFF);
        assertThat(read.getRGB(i % W, i / W) & 0xFFFFFF).isEqualTo(expected);
      }
    }
  }

  /** A 32-bit bitmap whose fourth bytes are all 0 left them unused: it is opaque. */
  @Test
  void unusedFourthBytesMeanOpaque() {
    byte[] bmp = BmpEncoder.bmp(new byte[4 * 4 * 4], 4, 4, 4);
    BmpDecoder.Pixels d = BmpDecoder.bmp(bmp);
    for (int i = 3; i < d.data().length; i += 4) {
      assertThat(d.data()[i]).isEqualTo((byte) 255);
    }
  }

  /** An icon's bitmap entry: its AND mask is the alpha; the largest entry is the one read. */
  @Test
  void readsTheLargestIconEntryWithItsAndMask() {
    int[] palette = {0x102030, 0xA0B0C0};
    int[] indices = new int[W * H];
    boolean[] clear = new boolean[W * H];
    for (int i = 0; i < indices.length; i++) {
      indices[i] = i % 3 == 0 ? 1 : 0;
      clear[i] = i % 5 == 0;
    }
    byte[] small = iconBitmap(4, 4, new int[16], new boolean[16], palette);
    byte[] large = iconBitmap(W, H, indices, clear, palette);
    byte[] ico = icon(new byte[][] {small, large}, new int[][] {{4, 4}, {W, H}});
    ProbeResult p = Probe.check(ico, Limits.DEFAULTS);
    assertThat(p.format()).isEqualTo(ImageFormat.ICO);
    assertThat(p.width()).isEqualTo(W);
    assertThat(p.height()).isEqualTo(H);
    assertThat(p.bands()).isEqualTo(4);
    Icon entry = Icon.largest(ico);
    assertThat(entry.png()).isFalse();
    BmpDecoder.Pixels d = BmpDecoder.iconBitmap(entry.bytes(ico));
    for (int i = 0; i < indices.length; i++) {
      assertThat(rgb(d, i)).isEqualTo(palette[indices[i]]);
      assertThat(d.data()[i * 4 + 3]).isEqualTo(clear[i] ? (byte) 0 : (byte) 255);
    }
  }

  /** The ICO imgd writes holds the PNG it is given, with its size in the directory. */
  @Test
  void writesAnIconOfOnePng() {
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 0, 0, 0, 0, 0};
    byte[] ico = BmpEncoder.icon(png, 256, 16, 4);
    assertThat(Icon.sniff(ico)).isTrue();
    Icon entry = Icon.largest(ico);
    assertThat(entry.png()).isTrue();
    assertThat(entry.bytes(ico)).isEqualTo(png);
    assertThat(ico[6]).isEqualTo((byte) 0); // 256
    assertThat(ico[7]).isEqualTo((byte) 16);
    assertThatThrownBy(() -> BmpEncoder.icon(png, 257, 16, 4))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * imgproxy's TestBMPUnsupportedBitDepthRejected (integration_test/bmp_overflow_test.go), its
   * testdata/bmp-invalid-bpp.bmp rebuilt: bit depth 40 at 512 wide, whose rows once overran a
   * buffer. imgproxy answers 500; imgd refuses the header as corrupt (422).
   */
  @Test
  void refusesAnInvalidBitDepth() {
    byte[] bmp = Fixtures.invalidBitDepthBmp();
    assertError(() -> Probe.check(bmp, Limits.DEFAULTS), ErrorCode.CORRUPT_IMAGE, "bit depth 40");
    assertError(() -> BmpDecoder.bmp(bmp), ErrorCode.CORRUPT_IMAGE, "bit depth 40");
  }

  /**
   * FM-11: a file cut anywhere is refused, by the probe or the decoder, never with a crash; or,
   * when only an RLE end marker is cut, decoded whole.
   */
  @Test
  void refusesEveryTruncation() throws IOException {
    for (String compression : new String[] {"BI_RGB", "BI_RLE8"}) {
      byte[] bmp =
          imageIo(image(compression.equals("BI_RGB") ? 24 : 8, compression), compression, false);
      for (int cut = 2; cut < bmp.length; cut++) { // "BM" names the format
        byte[] part = Arrays.copyOf(bmp, cut);
        try {
          Probe.check(part, Limits.DEFAULTS);
          byte[] decoded = BmpDecoder.bmp(part).data();
          // Only the end-of-bitmap marker after the last row may be lost: the image is whole.
          assertThat(cut).as(compression).isGreaterThanOrEqualTo(bmp.length - 2);
          assertThat(decoded).isEqualTo(BmpDecoder.bmp(bmp).data());
        } catch (ImgdException e) {
          assertThat(e.code()).as("cut at %d", cut).isEqualTo(ErrorCode.CORRUPT_IMAGE);
        }
      }
    }
  }

  @Test
  void refusesAPaletteIndexOutOfRange() {
    int[] indices = new int[W * H];
    indices[100] = 3; // a palette of two colours
    byte[] bmp = paletted(8, new int[] {0, 0xFFFFFF}, indices, false);
    assertThat(Probe.check(bmp, Limits.DEFAULTS).format()).isEqualTo(ImageFormat.BMP);
    assertError(() -> BmpDecoder.bmp(bmp), ErrorCode.CORRUPT_IMAGE, "palette index 3");
  }

  /** FM-01: a tiny file that declares a huge image is refused by the probe, before any pixel. */
  @Test
  void refusesHugeDeclaredDimensionsBeforeDecoding() {
    byte[] bmp = BmpEncoder.bmp(new byte[3], 1, 1, 3);
    ByteBuffer.wrap(bmp).order(ByteOrder.LITTLE_ENDIAN).putInt(18, 1 << 30).putInt(22, -(1 << 30));
    assertError(() -> Probe.check(bmp, Limits.DEFAULTS), ErrorCode.LIMIT_EXCEEDED, "limit");
    // Even without limits, the decoder refuses before allocating what cannot be held.
    assertError(() -> BmpDecoder.bmp(bmp), ErrorCode.LIMIT_EXCEEDED, "too large");
    // Within an int, but not in the file: refused as truncated, not allocated.
    ByteBuffer.wrap(bmp).order(ByteOrder.LITTLE_ENDIAN).putInt(18, 20_000).putInt(22, 20_000);
    assertError(() -> BmpDecoder.bmp(bmp), ErrorCode.CORRUPT_IMAGE, "truncated");
  }

  @Test
  void refusesWhatItDoesNotRead() {
    byte[] bmp = BmpEncoder.bmp(new byte[3], 1, 1, 3);
    ByteBuffer.wrap(bmp).order(ByteOrder.LITTLE_ENDIAN).putInt(30, 4); // BI_JPEG
    assertError(() -> Probe.read(bmp), ErrorCode.UNSUPPORTED_FORMAT, "JPEG data");
    ByteBuffer.wrap(bmp).order(ByteOrder.LITTLE_ENDIAN).putInt(30, 0).putInt(14, 64); // OS/2 2
    assertError(() -> Probe.read(bmp), ErrorCode.UNSUPPORTED_FORMAT, "64-byte bitmap header");
    byte[] ico = icon(new byte[][] {new byte[40]}, new int[][] {{1, 1}});
    ByteBuffer.wrap(ico).order(ByteOrder.LITTLE_ENDIAN).putInt(6 + 12, 1 << 20); // the offset
    assertError(() -> Probe.read(ico), ErrorCode.CORRUPT_IMAGE, "outside the file");
  }

  // --- the reference files ----------------------------------------------------------------------

  /** W x H of pseudo-random pixels in the type ImageIO writes at {@code bits}. */
  private static BufferedImage image(int bits, String compression) {
    Random random = new Random(bits);
    BufferedImage image =
        switch (bits) {
          case 1, 4, 8 -> {
            int n = 1 << bits;
            byte[] r = new byte[n];
            byte[] g = new byte[n];
            byte[] b = new byte[n];
            random.nextBytes(r);
            random.nextBytes(g);
            random.nextBytes(b);
            IndexColorModel cm = new IndexColorModel(bits, n, r, g, b);
            yield bits == 8
                ? new BufferedImage(W, H, BufferedImage.TYPE_BYTE_INDEXED, cm)
                : new BufferedImage(W, H, BufferedImage.TYPE_BYTE_BINARY, cm);
          }
          case 16 ->
              new BufferedImage(
                  W,
                  H,
                  compression.equals("BI_RGB")
                      ? BufferedImage.TYPE_USHORT_555_RGB
                      : BufferedImage.TYPE_USHORT_565_RGB);
          case 32 -> new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
          default -> new BufferedImage(W, H, BufferedImage.TYPE_3BYTE_BGR);
        };
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        // Runs of one colour, so the RLE writers have runs and literals both.
        int c = random.nextInt(4) == 0 ? random.nextInt(1 << 24) : (x / 5) * 0x10305;
        image.setRGB(x, y, c);
      }
    }
    return image;
  }

  private static byte[] imageIo(BufferedImage image, String compression, boolean topDown)
      throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("bmp").next();
    BMPImageWriteParam param = (BMPImageWriteParam) writer.getDefaultWriteParam();
    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    param.setCompressionType(compression);
    param.setTopDown(topDown);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
      writer.setOutput(ios);
      writer.write(null, new IIOImage(image, null, null), param);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  /** A paletted BMP written by hand, bottom row first: an info header, or a core header. */
  private static byte[] paletted(int bits, int[] palette, int[] indices, boolean core) {
    int header = core ? 12 : 40;
    int entry = core ? 3 : 4;
    int stride = (W * bits + 31) / 32 * 4;
    int offset = 14 + header + palette.length * entry;
    ByteBuffer b =
        ByteBuffer.allocate(offset + stride * H).order(ByteOrder.LITTLE_ENDIAN).put((byte) 'B');
    b.put((byte) 'M').putInt(b.capacity()).putInt(0).putInt(offset).putInt(header);
    if (core) {
      b.putShort((short) W).putShort((short) H).putShort((short) 1).putShort((short) bits);
    } else {
      b.putInt(W).putInt(H).putShort((short) 1).putShort((short) bits);
      b.putInt(0).putInt(0).putInt(0).putInt(0).putInt(palette.length).putInt(0);
    }
    for (int c : palette) {
      b.put((byte) c).put((byte) (c >> 8)).put((byte) (c >> 16));
      if (!core) {
        b.put((byte) 0);
      }
    }
    byte[] out = b.array();
    for (int y = 0; y < H; y++) {
      int row = offset + (H - 1 - y) * stride;
      for (int x = 0; x < W; x++) {
        int bit = x * bits;
        out[row + bit / 8] |= (byte) (indices[y * W + x] << (8 - bits - bit % 8));
      }
    }
    return out;
  }

  /** An icon's bitmap entry: a 40-byte header with the height doubled, palette, XOR, AND mask. */
  private static byte[] iconBitmap(int w, int h, int[] indices, boolean[] clear, int[] palette) {
    int stride = (w * 8 + 31) / 32 * 4;
    int maskStride = (w + 31) / 32 * 4;
    int pixels = 40 + palette.length * 4;
    ByteBuffer b =
        ByteBuffer.allocate(pixels + (stride + maskStride) * h).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(40).putInt(w).putInt(h * 2).putShort((short) 1).putShort((short) 8);
    b.putInt(0).putInt(0).putInt(0).putInt(0).putInt(palette.length).putInt(0);
    for (int c : palette) {
      b.putInt(c);
    }
    byte[] out = b.array();
    for (int y = 0; y < h; y++) {
      int row = pixels + (h - 1 - y) * stride;
      int mask = pixels + stride * h + (h - 1 - y) * maskStride;
      for (int x = 0; x < w; x++) {
        out[row + x] = (byte) indices[y * w + x];
        if (clear[y * w + x]) {
          out[mask + x / 8] |= (byte) (0x80 >> (x % 8));
        }
      }
    }
    return out;
  }

  private static byte[] icon(byte[][] entries, int[][] sizes) {
    int offset = 6 + 16 * entries.length;
    ByteBuffer b =
        ByteBuffer.allocate(offset + Arrays.stream(entries).mapToInt(e -> e.length).sum())
            .order(ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) 0).putShort((short) 1).putShort((short) entries.length);
    for (int i = 0; i < entries.length; i++) {
      b.put((byte) sizes[i][0]).put((byte) sizes[i][1]).putShort((short) 0);
      b.putShort((short) 1).putShort((short) 8).putInt(entries[i].length).putInt(offset);
      offset += entries[i].length;
    }
    for (byte[] e : entries) {
      b.put(e);
    }
    return b.array();
  }

  private static void assertSamePixels(BmpDecoder.Pixels d, BufferedImage image) {
    assertThat(d.width()).isEqualTo(image.getWidth());
    assertThat(d.height()).isEqualTo(image.getHeight());
    for (int i = 0; i < W * H; i++) {
      assertThat(rgb(d, i))
          .as("pixel %d,%d", i % W, i / W)
          .isEqualTo(image.getRGB(i % W, i / W) & 0xFFFFFF);
    }
  }

  private static int rgb(BmpDecoder.Pixels d, int i) {
    int at = i * d.bands();
    byte[] p = d.data();
    return (p[at] & 0xFF) << 16 | (p[at + 1] & 0xFF) << 8 | (p[at + 2] & 0xFF);
  }

  private static void assertError(Runnable r, ErrorCode code, String says) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(ImgdException.class, e -> assertThat(e.code()).isEqualTo(code))
        .hasMessageContaining(says);
  }
}
