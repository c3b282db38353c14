package dev.imgd.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.testkit.Fixtures;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * imgproxy's (Pro) saver options and autoquality over HTTP, in the default isolated mode and in
 * process: each option's effect is read from the bytes of the answer (the JPEG frame marker and
 * sampling factors, the PNG header and palette, the WebP chunk, the AVIF codec configuration).
 */
class ImgproxyEncodingTest {
  @RegisterExtension static final ImgproxyServers servers = new ImgproxyServers();

  private static final String PHOTO = "photo.jpg";
  private static final String FLAT = "flat.png";
  private static final String NOISY = "noisy.png";

  @BeforeAll
  static void images() throws Exception {
    Files.write(ServerTest.root.resolve(PHOTO), Fixtures.bytes("Landscape_1.jpg"));
    BufferedImage flat = new BufferedImage(256, 256, BufferedImage.TYPE_INT_RGB);
    BufferedImage noisy = new BufferedImage(256, 256, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(16);
    for (int y = 0; y < 256; y++) {
      for (int x = 0; x < 256; x++) {
        flat.setRGB(x, y, (x << 16) | (y << 8) | 128);
        noisy.setRGB(x, y, random.nextInt(1 << 24));
      }
    }
    Files.write(ServerTest.root.resolve(FLAT), png(flat));
    Files.write(ServerTest.root.resolve(NOISY), png(noisy));
  }

  private static List<ImgdServer> both() {
    return List.of(
        Objects.requireNonNull(servers.isolated), Objects.requireNonNull(servers.inProcess));
  }

  // --- jpeg_options ---------------------------------------------------------------------------

  @Test
  void progressiveJpegHasAnSof2Frame() throws Exception {
    for (ImgdServer s : both()) {
      assertThat(jpegFrame(get(s, "w:200/f:jpg"))).isEqualTo(0xC0); // baseline
      assertThat(jpegFrame(get(s, "w:200/jpgo:1/f:jpg"))).isEqualTo(0xC2);
      assertThat(jpegFrame(get(s, "w:200/jpeg_options:true/f:jpg"))).isEqualTo(0xC2);
    }
  }

  @Test
  void noSubsampleKeepsFullChroma() throws Exception {
    for (ImgdServer s : both()) {
      // libvips subsamples below quality 90 by default: luma sampled 2x2 against chroma
      assertThat(lumaSampling(get(s, "w:200/f:jpg"))).isEqualTo(0x22);
      assertThat(lumaSampling(get(s, "w:200/jpgo::1/f:jpg"))).isEqualTo(0x11);
    }
  }

  @Test
  void mozjpegOptionsChangeTheEncoding() throws Exception {
    for (ImgdServer s : both()) {
      byte[] plain = get(s, "w:200/f:jpg");
      // quant_table 3 (ImageMagick's) writes other quantisation tables
      assertThat(quantTables(get(s, "w:200/jpgo::::::3/f:jpg"))).isNotEqualTo(quantTables(plain));
      // trellis_quant, overshoot_deringing, optimize_scans
      for (String o : List.of("jpgo:::1", "jpgo::::1", "jpgo:::::1")) {
        assertThat(get(s, "w:200/" + o + "/f:jpg")).as(o).isNotEqualTo(plain);
      }
      // optimize_scans implies progressive (imgproxy ignores it without progressive)
      assertThat(jpegFrame(get(s, "w:200/jpgo:::::1/f:jpg"))).isEqualTo(0xC2);
    }
  }

  // --- png_options ----------------------------------------------------------------------------

  @Test
  void interlacedPngHasTheAdam7Flag() throws Exception {
    for (ImgdServer s : both()) {
      assertThat(get(s, "w:100/f:png")[28]).isEqualTo((byte) 0);
      assertThat(get(s, "w:100/pngo:1/f:png")[28]).isEqualTo((byte) 1);
    }
  }

  @Test
  void quantizedPngHasAPaletteOfAtMostTheColoursAsked() throws Exception {
    for (ImgdServer s : both()) {
      assertThat(get(s, "w:100/f:png")[25]).as("truecolour").isEqualTo((byte) 2);
      for (int colours : new int[] {16, 4}) {
        byte[] png = get(s, "w:100/pngo:0:1:" + colours + "/f:png");
        assertThat(png[25]).as("indexed").isEqualTo((byte) 3);
        assertThat(paletteSize(png)).isBetween(colours / 2 + 1, colours);
      }
    }
  }

  // --- webp_options ---------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"lossless", "near_lossless"})
  void losslessWebpIsAVp8lChunk(String compression) throws Exception {
    for (ImgdServer s : both()) {
      assertThat(webpChunk(get(s, "w:100/f:webp"))).isEqualTo("VP8 ");
      assertThat(webpChunk(get(s, "w:100/webpo:" + compression + "/f:webp"))).isEqualTo("VP8L");
    }
  }

  @Test
  void smartSubsampleAndPresetChangeTheEncoding() throws Exception {
    for (ImgdServer s : both()) {
      byte[] plain = get(s, "w:200/f:webp");
      assertThat(get(s, "w:200/webpo::1/f:webp")).isNotEqualTo(plain);
      assertThat(get(s, "w:200/webpo:::drawing/f:webp")).isNotEqualTo(plain);
    }
  }

  // --- avif_options ---------------------------------------------------------------------------

  @Test
  void avifSubsampleOffIsFullChroma() throws Exception {
    for (ImgdServer s : both()) {
      assertThat(avifSubsampled(get(s, "w:64/f:avif"))).as("auto below q90").isTrue();
      assertThat(avifSubsampled(get(s, "w:64/avifo:off/f:avif"))).isFalse();
      assertThat(avifSubsampled(get(s, "w:64/avifo:on/q:95/f:avif"))).isTrue();
      assertThat(avifSubsampled(get(s, "w:64/q:95/f:avif"))).as("auto at q95").isFalse();
    }
  }

  // --- autoquality ----------------------------------------------------------------------------

  @Test
  void dssimPicksALowerQualityForAFlatImageThanForANoisyOne() throws Exception {
    String aq = "aq:dssim:0.005:20:95:0.001/f:jpg";
    for (ImgdServer s : both()) {
      int flat = jpegQuality(get(s, aq, FLAT));
      int noisy = jpegQuality(get(s, aq, NOISY));
      assertThat(flat).isLessThan(noisy).isBetween(20, 95);
      assertThat(noisy).isBetween(20, 95);
      // without autoquality both are the default 80
      assertThat(jpegQuality(get(s, "f:jpg", FLAT))).isEqualTo(80);
    }
  }

  @Test
  void sizePicksTheLargestQualityThatFits() throws Exception {
    for (ImgdServer s : both()) {
      byte[] fits = get(s, "aq:size:20000:10:95/f:jpg", NOISY);
      assertThat(fits.length).isLessThanOrEqualTo(20000);
      int q = jpegQuality(fits);
      assertThat(q).isGreaterThan(10);
      byte[] above = get(s, "q:" + (q + 1) + "/f:jpg", NOISY);
      assertThat(above.length).as("quality %d + 1", q).isGreaterThan(20000);
    }
  }

  // --- refusals ---------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(
      strings = {
        "jpgo::::::9",
        "jpgo:yes",
        "pngo::1:1",
        "pngo::1:257",
        "webpo:lossier",
        "webpo:::cartoon",
        "avifo:sometimes",
        "aq:ml",
        "aq:psnr",
        "aq:dssim:0",
        "aq:dssim:0.02:90:80",
        "aq:size:10.5"
      })
  void badArgumentsAre400(String options) throws Exception {
    for (ImgdServer s : both()) {
      HttpResponse<byte[]> r = ServerTest.get(s, ServerTest.signed(path(options, PHOTO)));
      assertThat(r.statusCode()).as(options).isEqualTo(400);
      assertThat(ServerTest.problemCode(r)).isEqualTo("bad_options");
    }
  }

  @Test
  void mlNamesTheMissingModel() throws Exception {
    HttpResponse<byte[]> r =
        ServerTest.get(
            Objects.requireNonNull(servers.inProcess), ServerTest.signed(path("aq:ml", PHOTO)));
    assertThat(new String(r.body(), UTF_8)).contains("neural network model");
  }

  // --- helpers --------------------------------------------------------------------------------

  private static String path(String options, String image) {
    return "/" + options + "/plain/local:///" + image;
  }

  private static byte[] get(ImgdServer s, String options) throws Exception {
    return get(s, options, PHOTO);
  }

  private static byte[] get(ImgdServer s, String options, String image) throws Exception {
    return ImgproxyServers.get(s, options, image);
  }

  private static byte[] png(BufferedImage image) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  /** The JPEG's segments up to the scan: {marker, offset of its payload, payload length}. */
  private static List<int[]> jpegSegments(byte[] jpeg) {
    List<int[]> segments = new java.util.ArrayList<>();
    int i = 2;
    while (i + 4 <= jpeg.length && (jpeg[i] & 0xFF) == 0xFF) {
      int marker = jpeg[i + 1] & 0xFF;
      int length = ((jpeg[i + 2] & 0xFF) << 8) | (jpeg[i + 3] & 0xFF);
      segments.add(new int[] {marker, i + 4, length - 2});
      if (marker == 0xDA) {
        break;
      }
      i += 2 + length;
    }
    return segments;
  }

  /** The start-of-frame marker: 0xC0 baseline, 0xC2 progressive. */
  static int jpegFrame(byte[] jpeg) {
    return jpegSegments(jpeg).stream()
        .mapToInt(s -> s[0])
        .filter(m -> m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC)
        .findFirst()
        .orElseThrow();
  }

  /** The first (luma) component's sampling factors, H in the high nibble. */
  private static int lumaSampling(byte[] jpeg) {
    for (int[] s : jpegSegments(jpeg)) {
      if (s[0] == 0xC0 || s[0] == 0xC2) {
        return jpeg[s[1] + 7] & 0xFF; // precision, height, width, count, then id and sampling
      }
    }
    throw new AssertionError("no frame");
  }

  private static byte[] quantTables(byte[] jpeg) {
    ByteArrayOutputStream tables = new ByteArrayOutputStream();
    for (int[] s : jpegSegments(jpeg)) {
      if (s[0] == 0xDB) {
        tables.write(jpeg, s[1], s[2]);
      }
    }
    return tables.toByteArray();
  }

  /** JPEG Annex K's luminance table, in zigzag order as DQT stores it. */
  private static final int[] ANNEX_K_LUMA = {
    16, 11, 12, 14, 12, 10, 16, 14, 13, 14, 18, 17, 16, 19, 24, 40, 26, 24, 22, 22, 24, 49, 35, 37,
    29, 40, 58, 51, 61, 60, 57, 51, 56, 55, 64, 72, 92, 78, 64, 68, 87, 69, 55, 56, 80, 109, 81, 87,
    95, 98, 103, 104, 103, 62, 77, 113, 121, 112, 100, 120, 92, 101, 103, 99
  };

  /**
   * The quality whose scaled Annex K luminance table (libjpeg's scaling) is the file's: the one
   * quality whose table matches best.
   */
  private static int jpegQuality(byte[] jpeg) {
    int[] table = null;
    for (int[] s : jpegSegments(jpeg)) {
      if (s[0] == 0xDB && (jpeg[s[1]] & 0x0F) == 0) {
        table = new int[64];
        for (int k = 0; k < 64; k++) {
          table[k] = jpeg[s[1] + 1 + k] & 0xFF;
        }
      }
    }
    int[] found = Objects.requireNonNull(table, "no luminance table");
    int best = 0;
    long bestError = Long.MAX_VALUE;
    for (int q = 1; q <= 100; q++) {
      int scale = q < 50 ? 5000 / q : 200 - 2 * q;
      long error = 0;
      for (int k = 0; k < 64; k++) {
        int v = Math.clamp((ANNEX_K_LUMA[k] * scale + 50) / 100, 1, 255);
        error += Math.abs(v - found[k]);
      }
      if (error < bestError) {
        bestError = error;
        best = q;
      }
    }
    return best;
  }

  private static int paletteSize(byte[] png) {
    int i = 8;
    while (i + 8 <= png.length) {
      int length =
          ((png[i] & 0xFF) << 24)
              | ((png[i + 1] & 0xFF) << 16)
              | ((png[i + 2] & 0xFF) << 8)
              | (png[i + 3] & 0xFF);
      if (new String(png, i + 4, 4, US_ASCII).equals("PLTE")) {
        return length / 3;
      }
      i += 12 + length;
    }
    throw new AssertionError("no PLTE chunk");
  }

  /** The first chunk of a simple WebP file: "VP8 " lossy, "VP8L" lossless. */
  private static String webpChunk(byte[] webp) {
    assertThat(new String(webp, 0, 4, US_ASCII)).isEqualTo("RIFF");
    return new String(webp, 12, 4, US_ASCII);
  }

  /** Whether the AV1 codec configuration (av1C) says chroma is subsampled in both directions. */
  private static boolean avifSubsampled(byte[] avif) {
    byte[] av1c = "av1C".getBytes(US_ASCII);
    for (int i = 0; i + 8 < avif.length; i++) {
      if (Arrays.equals(avif, i, i + 4, av1c, 0, 4)) {
        int flags = avif[i + 6] & 0xFF; // tier, bit depth, mono, subsampling x, y, position
        return (flags & 0x0C) == 0x0C;
      }
    }
    throw new AssertionError("no av1C box");
  }
}
