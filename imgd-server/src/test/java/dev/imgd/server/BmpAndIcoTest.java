package dev.imgd.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.bmp.BmpDecoder;
import dev.imgd.core.bmp.BmpEncoder;
import dev.imgd.core.bmp.Icon;
import dev.imgd.core.probe.Probe;
import dev.imgd.core.probe.ProbeResult;
import dev.imgd.testkit.Fixtures;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * BMP and ICO over HTTP, on the isolated and the in-process server: imgd's own codec
 * (dev.imgd.core.bmp) reads and writes them, as imgproxy's (vips/bmpload.c, icoload.c) does. Round
 * trips compare every pixel with the same request answered as PNG; imgproxy's
 * TestBMPUnsupportedBitDepthRejected and the hostile cases are typed errors.
 *
 * <p>Differences from imgproxy: a bit depth of 40 is 422 corrupt_image (imgproxy: 500). As
 * imgproxy, an ICO result larger than 256x256 is shrunk to fit (processing/fix_size.go), and a CUR
 * file and a BMP holding JPEG or PNG data are refused (imgproxy knows no CUR signature, and its
 * bmpload.c reads no such compression): 415 here.
 */
class BmpAndIcoTest {
  @RegisterExtension static final ImgproxyServers servers = new ImgproxyServers();

  @BeforeAll
  static void images() throws Exception {
    Pixels.write(servers.root(), "landscape.jpg", Fixtures.bytes("Landscape_1.jpg"));
    Pixels.write(servers.root(), "with-alpha.png", Fixtures.bytes("with-alpha.png"));
  }

  /** JPEG to BMP: the pixels of the PNG answer; the BMP as a source gives them back. */
  @Test
  void jpegToBmpAndBack() throws Exception {
    for (ImgdServer s : servers.both()) {
      byte[] bmp = answer(s, "rs:fit:101:0/f:bmp", "landscape.jpg", ImageFormat.BMP);
      byte[] png = answer(s, "rs:fit:101:0/f:png", "landscape.jpg", ImageFormat.PNG);
      BmpDecoder.Pixels decoded = BmpDecoder.bmp(bmp);
      assertThat(decoded.width()).isEqualTo(101);
      assertThat(decoded.bands()).isEqualTo(3);
      assertThat(decoded.data()).isEqualTo(pixels(png));
      Pixels.write(servers.root(), "from-jpeg.bmp", bmp);
      byte[] again = answer(s, "f:png", "from-jpeg.bmp", ImageFormat.PNG);
      assertThat(pixels(again)).isEqualTo(decoded.data());
    }
  }

  /** PNG with alpha to ICO: one PNG entry with the alpha kept; the ICO as a source too. */
  @Test
  void pngWithAlphaToIcoAndBack() throws Exception {
    for (ImgdServer s : servers.both()) {
      byte[] ico = answer(s, "f:ico", "with-alpha.png", ImageFormat.ICO);
      byte[] png = answer(s, "f:png", "with-alpha.png", ImageFormat.PNG);
      Icon entry = Icon.largest(ico);
      assertThat(entry.png()).isTrue();
      assertThat(ico[6]).as("256 wide is stored as 0").isEqualTo((byte) 0);
      byte[] inside = entry.bytes(ico);
      assertThat(Pixels.decode(inside).bands()).isEqualTo(4);
      assertThat(pixels(inside)).isEqualTo(pixels(png));
      Pixels.write(servers.root(), "from-png.ico", ico);
      assertThat(pixels(answer(s, "f:png", "from-png.ico", ImageFormat.PNG)))
          .isEqualTo(pixels(png));
      // The same image as a 32-bit BMP keeps its alpha too.
      byte[] bmp = answer(s, "f:bmp", "with-alpha.png", ImageFormat.BMP);
      assertThat(BmpDecoder.bmp(bmp).data()).isEqualTo(pixels(png));
    }
  }

  /** A paletted RLE8 BMP and an icon of a bitmap with its AND mask, as sources. */
  @Test
  void readsPalettedAndIconBitmaps() throws Exception {
    byte[] rle = Bitmaps.RLE8;
    Pixels.write(servers.root(), "rle8.bmp", rle);
    Pixels.write(servers.root(), "bitmap.ico", Bitmaps.ICON);
    for (ImgdServer s : servers.both()) {
      byte[] png = answer(s, "f:png", "rle8.bmp", ImageFormat.PNG);
      assertThat(pixels(png)).isEqualTo(BmpDecoder.bmp(rle).data());
      byte[] icon = answer(s, "f:png", "bitmap.ico", ImageFormat.PNG);
      Pixels.Decoded d = Pixels.decode(icon);
      assertThat(d.width() + "x" + d.height() + "x" + d.bands()).isEqualTo("2x2x4");
      assertThat(Pixels.at(icon, 0, 0)).containsExactly(255, 0, 0, 255);
      assertThat(Pixels.at(icon, 1, 0)[3]).as("masked out").isZero();
    }
  }

  /**
   * imgproxy's fixIcoSize: an ICO result larger than 256x256 is shrunk, its longer side to 256 and
   * the other in proportion; the plan knows that size, so both servers' verification agrees with
   * it. The pixels are the larger result's, scaled.
   */
  @Test
  void shrinksAnIconLargerThan256ToFit() throws Exception {
    servers.assertSize("rs:fit:300:300/el:1/f:bmp", "with-alpha.png", 300, 225);
    servers.assertSize("rs:fit:300:300/el:1/f:ico", "with-alpha.png", 256, 192);
    servers.assertSize("rs:fit:0:301/el:1/f:ico", "with-alpha.png", 256, 192);
    servers.assertSize("rs:fit:1000:10/el:1/f:ico", "landscape.jpg", 13, 10);
    servers.assertSize("rs:force:2000:10/f:ico", "landscape.jpg", 256, 1);
    for (ImgdServer s : servers.both()) {
      byte[] big = answer(s, "rs:fit:512:0/el:1/f:ico", "with-alpha.png", ImageFormat.ICO);
      Pixels.Decoded d = Pixels.decode(Icon.largest(big).bytes(big));
      assertThat(d.width() + "x" + d.height() + "x" + d.bands()).isEqualTo("256x192x4");
      byte[] small = answer(s, "rs:fit:256:0/el:1/f:png", "with-alpha.png", ImageFormat.PNG);
      int[] a = Pixels.at(Icon.largest(big).bytes(big), 128, 96);
      int[] b = Pixels.at(small, 128, 96);
      for (int i = 0; i < 4; i++) {
        assertThat(a[i])
            .as("band %d", i)
            .isCloseTo(b[i], org.assertj.core.api.Assertions.within(16));
      }
    }
  }

  /**
   * What imgproxy refuses too: a cursor (an ICO of type 2, which imgproxy's signature for ICO does
   * not match) and a BMP whose compression is BI_JPEG or BI_PNG (bmpload.c: "compression not
   * supported"). Both are a typed 415 naming what is missing, never a 500.
   */
  @Test
  void refusesCursorsAndBitmapsHoldingJpegOrPng() throws Exception {
    byte[] cursor = Bitmaps.ICON.clone();
    cursor[2] = 2;
    Pixels.write(servers.root(), "cursor.cur", cursor);
    servers.assertRefused("f:png", "cursor.cur", 415, "unsupported_format");
    byte[] whole = BmpEncoder.bmp(new byte[8 * 8 * 3], 8, 8, 3);
    for (int compression : new int[] {4, 5}) {
      byte[] holding = whole.clone();
      ByteBuffer.wrap(holding).order(ByteOrder.LITTLE_ENDIAN).putInt(30, compression);
      Pixels.write(servers.root(), "holding-" + compression + ".bmp", holding);
      servers.assertRefused("f:png", "holding-" + compression + ".bmp", 415, "unsupported_format");
    }
  }

  /**
   * TestBMPUnsupportedBitDepthRejected (integration_test/bmp_overflow_test.go): imgproxy's
   * testdata/bmp-invalid-bpp.bmp rebuilt, 512 wide at bit depth 40. imgproxy answers 500.
   */
  @Test
  void refusesAnInvalidBitDepth() throws Exception {
    byte[] bmp = Fixtures.invalidBitDepthBmp();
    Pixels.write(servers.root(), "bmp-invalid-bpp.bmp", bmp);
    servers.assertRefused("rs:fill:4:4", "bmp-invalid-bpp.bmp", 422, "corrupt_image");
  }

  /** FM-11, FM-01 and a palette index out of range, each a typed 4xx on both servers. */
  @Test
  void refusesHostileBitmaps() throws Exception {
    byte[] whole = BmpEncoder.bmp(new byte[64 * 64 * 3], 64, 64, 3);
    Pixels.write(servers.root(), "truncated.bmp", Arrays.copyOf(whole, whole.length / 2));
    servers.assertRefused("f:png", "truncated.bmp", 422, "corrupt_image");
    byte[] huge = whole.clone();
    ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putInt(18, 100_000).putInt(22, 100_000);
    Pixels.write(servers.root(), "huge.bmp", huge);
    servers.assertRefused("f:png", "huge.bmp", 422, "limit_exceeded");
    byte[] badIndex = Bitmaps.RLE8.clone();
    badIndex[badIndex.length - 5] = (byte) 0xEE; // a run's colour, past the palette
    Pixels.write(servers.root(), "bad-index.bmp", badIndex);
    servers.assertRefused("f:png", "bad-index.bmp", 422, "corrupt_image");
  }

  /** A 200 in {@code format}, with its Content-Type. */
  private static byte[] answer(ImgdServer s, String options, String image, ImageFormat format)
      throws Exception {
    String path = "/" + options + "/plain/local:///" + image;
    HttpResponse<byte[]> r = ServerTest.get(s, ServerTest.signed(path));
    assertThat(r.statusCode()).as(path + ": " + new String(r.body(), UTF_8)).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).as(path).hasValue(format.mimeType());
    ProbeResult p = Probe.read(r.body());
    assertThat(p.format()).isEqualTo(format);
    return r.body();
  }

  /** A PNG's 8-bit pixels. */
  private static byte[] pixels(byte[] png) {
    try (VipsImage image = VipsOperation.of("pngload_buffer").set("buffer", png).image()) {
      return image.pixels();
    }
  }

  /** Small bitmaps written by hand. */
  private static final class Bitmaps {
    /** 4x2, 8 bits RLE8 with a palette of 3: a run, a literal stretch, the end marker. */
    static final byte[] RLE8 = rle8();

    /** A 2x2 icon of 1 bit per pixel: red and blue, its AND mask clearing the right column. */
    static final byte[] ICON = icon();

    private static byte[] rle8() {
      byte[] stream = {4, 1, 0, 0, 0, 4, 0, 1, 2, 1, 0, 1};
      ByteBuffer b = ByteBuffer.allocate(14 + 40 + 12 + stream.length);
      b.order(ByteOrder.LITTLE_ENDIAN).put((byte) 'B').put((byte) 'M').putInt(b.capacity());
      b.putInt(0).putInt(14 + 40 + 12).putInt(40).putInt(4).putInt(2).putShort((short) 1);
      b.putShort((short) 8).putInt(1).putInt(stream.length).putInt(0).putInt(0).putInt(3);
      b.putInt(0).putInt(0x0000FF).putInt(0x00FF00).putInt(0xFF0000).put(stream);
      return b.array();
    }

    private static byte[] icon() {
      ByteBuffer b = ByteBuffer.allocate(6 + 16 + 40 + 8 + 8 + 8).order(ByteOrder.LITTLE_ENDIAN);
      b.putShort((short) 0).putShort((short) 1).putShort((short) 1);
      b.put((byte) 2).put((byte) 2).putShort((short) 0).putShort((short) 1).putShort((short) 1);
      b.putInt(40 + 8 + 8 + 8).putInt(22);
      b.putInt(40).putInt(2).putInt(4).putShort((short) 1).putShort((short) 1).putInt(0);
      b.putInt(0).putInt(0).putInt(0).putInt(2).putInt(0);
      b.putInt(0xFF0000).putInt(0x0000FF); // the palette: red, blue
      b.putInt(0x40).putInt(0x40); // rows of 1 bit: red (0), blue (1)
      b.putInt(0x40).putInt(0x40); // the AND mask: the right pixel clear
      return b.array();
    }
  }
}
