package dev.imgd.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.testkit.Fixtures;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * imgproxy's processing/watermark_test.go, case by case, over HTTP in the isolated default mode and
 * in process, with imgproxy's watermark (geometry.png, 200x100, opaque red and green) from
 * IMGD_WATERMARK_DATA. imgproxy's source there is a 1080x902 BMP; here it is a 1080x902 blue PNG
 * (same size, so the same geometry), and instead of imgproxy's pixel hashes each output is compared
 * pixel by pixel with the watermark where imgproxy's rules put it (calcPosition, and the centred
 * tiling of vips_replicate_go). Then imgproxy Pro's watermark_url, watermark_text, watermark_size,
 * watermark_rotate and watermark_shadow (imgproxy.net's documentation), and the base opacity.
 */
class ImgproxyWatermarkTest {
  static final int BLUE = 0x0000ff;

  static final Map<String, String> WATERMARK =
      Map.of(
          "IMGD_WATERMARK_DATA",
          Base64.getEncoder().encodeToString(Fixtures.bytes("imgproxy-geometry.png")));

  @RegisterExtension static final ImgproxyServers servers = new ImgproxyServers(WATERMARK);

  static BufferedImage mark;

  @BeforeAll
  static void images() throws IOException {
    BufferedImage base = new BufferedImage(1080, 902, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < base.getHeight(); y++) {
      for (int x = 0; x < base.getWidth(); x++) {
        base.setRGB(x, y, BLUE);
      }
    }
    ImageIO.write(base, "png", servers.root().resolve("base.png").toFile());
    Files.write(servers.root().resolve("anim.gif"), Fixtures.bytes("animated-loop-3.gif"));
    mark = ImageIO.read(new ByteArrayInputStream(Fixtures.bytes("imgproxy-geometry.png")));
  }

  static BufferedImage image(byte[] png) throws IOException {
    return ImageIO.read(new ByteArrayInputStream(png));
  }

  /** The base with the watermark's pixels where {@code at} maps them, blended by the opacity. */
  interface Placement {
    /** The watermark pixel at output x, y as {x, y} in the watermark, or null for the base. */
    int[] at(int x, int y);
  }

  static void assertWatermarked(BufferedImage out, Placement p, double opacity, String what) {
    int wrong = 0;
    String first = null;
    for (int y = 0; y < out.getHeight(); y++) {
      for (int x = 0; x < out.getWidth(); x++) {
        int[] m = p.at(x, y);
        int want = m == null ? BLUE : blend(mark.getRGB(m[0], m[1]), opacity);
        if (!close(out.getRGB(x, y), want)) {
          if (first == null) {
            first =
                "(%d,%d) is %06x, expected %06x"
                    .formatted(x, y, out.getRGB(x, y) & 0xffffff, want & 0xffffff);
          }
          wrong++;
        }
      }
    }
    assertThat(wrong).as("%s: %d pixels off, first %s", what, wrong, first).isZero();
  }

  static int blend(int rgb, double opacity) {
    int r = (int) Math.round(((rgb >> 16) & 0xff) * opacity);
    int g = (int) Math.round(((rgb >> 8) & 0xff) * opacity);
    int b = (int) Math.round((rgb & 0xff) * opacity + 255 * (1 - opacity));
    return (r << 16) | (g << 8) | b;
  }

  static boolean close(int a, int b) {
    for (int shift = 0; shift <= 16; shift += 8) {
      if (Math.abs(((a >> shift) & 0xff) - ((b >> shift) & 0xff)) > 2) {
        return false;
      }
    }
    return true;
  }

  /** The 200x100 watermark with its top-left at {@code left, top}. */
  static Placement rect(int left, int top) {
    return (x, y) ->
        x >= left && x < left + 200 && y >= top && y < top + 100
            ? new int[] {x - left, y - top}
            : null;
  }

  /**
   * imgproxy's tiling (vips_replicate_go, centred): the watermark padded by half the spacing before
   * and the rest after, an odd number of tiles each way, the middle of them cut to the output.
   */
  static Placement tiles(int width, int height, int spaceX, int spaceY) {
    return tiles(width, height, spaceX, spaceY, false);
  }

  /**
   * imgproxy Pro's chessboard order ({@code ch}, imgproxy.net's documentation: as {@code re}, every
   * other tile): the tiles of {@link #tiles} on the cells of the centre cell's colour, which is
   * marked; the cells beside each marked one are left as the base.
   */
  static Placement chess(int width, int height, int spaceX, int spaceY) {
    return tiles(width, height, spaceX, spaceY, true);
  }

  private static Placement tiles(int width, int height, int spaceX, int spaceY, boolean chess) {
    int tileW = 200 + spaceX;
    int tileH = 100 + spaceY;
    int across = Math.ceilDiv(width, tileW) | 1;
    int down = Math.ceilDiv(height, tileH) | 1;
    int left = (across * tileW - width) / 2;
    int top = (down * tileH - height) / 2;
    int centre = (across / 2 + down / 2) % 2;
    return (x, y) -> {
      if (chess && ((x + left) / tileW + (y + top) / tileH) % 2 != centre) {
        return null;
      }
      int tx = (x + left) % tileW - spaceX / 2;
      int ty = (y + top) % tileH - spaceY / 2;
      return tx >= 0 && tx < 200 && ty >= 0 && ty < 100 ? new int[] {tx, ty} : null;
    };
  }

  static Stream<Arguments> positions() {
    // TestWatermark's positions and offsets; the output is 1080x902 (540x451 at dpr 0.5).
    // Centred: imgproxy rounds (1080-200+1)/2 and (902-100+1)/2 half to even: 440, 402.
    return Stream.of(
        Arguments.of("wm:1:ce", 1080, 902, rect(440, 402)),
        Arguments.of("wm:1:no", 1080, 902, rect(440, 0)),
        Arguments.of("wm:1:ea", 1080, 902, rect(880, 402)),
        Arguments.of("wm:1:so", 1080, 902, rect(440, 802)),
        Arguments.of("wm:1:we", 1080, 902, rect(0, 402)),
        Arguments.of("wm:1:nowe", 1080, 902, rect(0, 0)),
        Arguments.of("wm:1:noea", 1080, 902, rect(880, 0)),
        Arguments.of("wm:1:sowe", 1080, 902, rect(0, 802)),
        Arguments.of("wm:1:soea", 1080, 902, rect(880, 802)),
        Arguments.of("wm:1:re", 1080, 902, tiles(1080, 902, 0, 0)),
        Arguments.of("wm:1:no:50", 1080, 902, rect(490, 0)),
        Arguments.of("wm:1:no:0:50", 1080, 902, rect(440, 50)),
        Arguments.of("wm:1:no:50:50", 1080, 902, rect(490, 50)),
        // dpr 0.5 halves the output and the offsets, not the watermark (imgproxy: dpr 1 for it)
        Arguments.of("wm:1:no:50:50/dpr:0.5", 540, 451, rect(195, 25)),
        // dpr 2 without enlarge leaves the size, so the offsets stay too
        Arguments.of("wm:1:no:50:50/dpr:2", 1080, 902, rect(490, 50)),
        Arguments.of("wm:1:re:50", 1080, 902, tiles(1080, 902, 50, 0)),
        Arguments.of("wm:1:re:0:50", 1080, 902, tiles(1080, 902, 0, 50)),
        Arguments.of("wm:1:re:50:50", 1080, 902, tiles(1080, 902, 50, 50)),
        Arguments.of("wm:1:re:50:50/dpr:0.5", 540, 451, tiles(540, 451, 25, 25)),
        Arguments.of("wm:1:re:50:50/dpr:2", 1080, 902, tiles(1080, 902, 50, 50)),
        // scale 0 is the watermark's own size
        Arguments.of("wm:1:re:0:0:0", 1080, 902, tiles(1080, 902, 0, 0)),
        // imgproxy Pro's chessboard order: 7x11 cells with the centre one (3, 5) marked; with the
        // spacing 5x7 cells, centre (2, 3), so the other colour than the top-left cell's
        Arguments.of("wm:1:ch", 1080, 902, chess(1080, 902, 0, 0)),
        Arguments.of("wm:1:ch:50:50", 1080, 902, chess(1080, 902, 50, 50)),
        Arguments.of("wm:1:ch:50:0", 1080, 902, chess(1080, 902, 50, 0)),
        Arguments.of("wm:1:ch:50:50/dpr:0.5", 540, 451, chess(540, 451, 25, 25)),
        // a spacing wider than the output: one tile, centred, as re
        Arguments.of("wm:1:ch:2000:2000", 1080, 902, rect(440, 401)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("positions")
  void positionsAndOffsets(String options, int width, int height, Placement p) throws Exception {
    for (ImgdServer s : servers.both()) {
      BufferedImage out = image(ImgproxyServers.get(s, options + "/f:png", "base.png"));
      assertThat(out.getWidth() + "x" + out.getHeight()).isEqualTo(width + "x" + height);
      assertWatermarked(out, p, 1, options);
    }
  }

  @Test
  void chessMarksTheDiagonalCellsOnly() throws Exception {
    // wm:1:ch on 1080x902: the 200x100 cells of re, centred; the centre cell (440,402) and its
    // diagonal neighbours carry the watermark (red at its top-left), the cells beside it do not.
    for (ImgdServer s : servers.both()) {
      BufferedImage out = image(ImgproxyServers.get(s, "wm:1:ch/f:png", "base.png"));
      for (int[] cell : new int[][] {{0, 0}, {1, 1}, {-1, -1}, {1, -1}, {-1, 1}, {2, 0}}) {
        int x = 440 + cell[0] * 200 + 5;
        int y = 402 + cell[1] * 100 + 5;
        assertThat(close(out.getRGB(x, y), mark.getRGB(5, 5))).as("marked at %d,%d", x, y).isTrue();
      }
      for (int[] cell : new int[][] {{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {2, 1}}) {
        int x = 440 + cell[0] * 200 + 5;
        int y = 402 + cell[1] * 100 + 5;
        assertThat(out.getRGB(x, y) & 0xffffff).as("base at %d,%d", x, y).isEqualTo(BLUE);
      }
      // re over the same cells marks every one of them
      BufferedImage all = image(ImgproxyServers.get(s, "wm:1:re/f:png", "base.png"));
      assertThat(close(all.getRGB(640 + 5, 402 + 5), mark.getRGB(5, 5))).isTrue();
    }
  }

  @Test
  void opacity() throws Exception {
    for (ImgdServer s : servers.both()) {
      // re_opacity_0: no watermark at all; re_opacity_0.5: half of it over the base
      assertWatermarked(
          image(ImgproxyServers.get(s, "wm:0:re/f:png", "base.png")), (x, y) -> null, 1, "wm:0");
      assertWatermarked(
          image(ImgproxyServers.get(s, "wm:0.5:re/f:png", "base.png")),
          tiles(1080, 902, 0, 0),
          0.5,
          "wm:0.5:re");
    }
  }

  @Test
  void scaleIsAShareOfTheOutput() throws Exception {
    // re_opacity_1_scale_0.5: fitted into 540x451, the 200x100 watermark is 540x270; the tiles
    // repeat every 540 pixels across and every 270 down, and cover the whole output.
    for (ImgdServer s : servers.both()) {
      BufferedImage out = image(ImgproxyServers.get(s, "wm:1:re:0:0:0.5/f:png", "base.png"));
      int unlike200 = 0;
      for (int y = 0; y < 902; y += 7) {
        for (int x = 0; x < 1080; x += 7) {
          assertThat(out.getRGB(x, y) & 0xff).as("blue at %d,%d", x, y).isLessThan(64);
          if (x + 540 < 1080) {
            assertThat(close(out.getRGB(x, y), out.getRGB(x + 540, y))).isTrue();
          }
          if (y + 270 < 902) {
            assertThat(close(out.getRGB(x, y), out.getRGB(x, y + 270))).isTrue();
          }
          if (x + 200 < 1080 && !close(out.getRGB(x, y), out.getRGB(x + 200, y))) {
            unlike200++;
          }
        }
      }
      assertThat(unlike200).as("not the unscaled 200 pixel period").isPositive();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("animations")
  void animationKeepsItsFrames(String options, int width, int height) throws Exception {
    // TestWatermarkAnimation's options, on imgd's 370x285, 10-frame GIF (imgproxy's gif.gif is not
    // in its repository): each frame is marked and the animation stays whole.
    for (ImgdServer s : servers.both()) {
      byte[] plain = ImgproxyServers.get(s, options.replaceFirst("wm:[^/]*/", ""), "anim.gif");
      byte[] marked = ImgproxyServers.get(s, options, "anim.gif");
      dev.imgd.core.probe.ProbeResult probe = dev.imgd.core.probe.Probe.read(marked);
      assertThat(probe.width() + "x" + probe.height() + " " + probe.frames())
          .isEqualTo(width + "x" + height + " 10");
      assertThat(marked).isNotEqualTo(plain);
    }
  }

  static Stream<Arguments> animations() {
    return Stream.of(
        Arguments.of("wm:0.5:nowe:10:20/dpr:0.5", 185, 143),
        Arguments.of("wm:0.5:nowe:10:20/dpr:2", 370, 285));
  }

  @Test
  void baseOpacityMultipliesTheOptionsOpacity() throws Exception {
    // IMGPROXY_WATERMARK_OPACITY: the final opacity is the base's times wm:'s.
    Map<String, String> env = new java.util.HashMap<>(WATERMARK);
    env.put("IMGPROXY_WATERMARK_OPACITY", "0.5");
    try (ImgdServer half = ServerTest.start(env)) {
      assertWatermarked(
          image(ImgproxyServers.get(half, "wm:1:nowe/f:png", "base.png")),
          rect(0, 0),
          0.5,
          "base opacity 0.5");
    }
  }

  @Test
  void aWatermarkImageThatCannotBeUsedStopsTheStart() {
    // Checked at start (probed, then decoded by the engine), not by the first wm: request.
    byte[] truncated = java.util.Arrays.copyOf(Fixtures.bytes("imgproxy-geometry.png"), 4000);
    for (byte[] bad : new byte[][] {"just text".getBytes(UTF_8), truncated}) {
      assertThatThrownBy(() ->
              ServerTest.start(
                  Map.of("IMGPROXY_WATERMARK_DATA", Base64.getEncoder().encodeToString(bad))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(
              "bad setting IMGD_WATERMARK_DATA: the watermark image cannot be" + " used: ");
    }
  }

  // --- imgproxy Pro ------------------------------------------------------------------------------

  static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(UTF_8));
  }

  static HttpResponse<byte[]> request(ImgdServer s, String options) throws Exception {
    return ServerTest.get(s, ServerTest.signed("/" + options + "/plain/local:///base.png"));
  }

  /** The box of the pixels the watermark changed, as "left,top widthxheight". */
  static String box(BufferedImage out) {
    int minX = Integer.MAX_VALUE;
    int minY = Integer.MAX_VALUE;
    int maxX = -1;
    int maxY = -1;
    for (int y = 0; y < out.getHeight(); y++) {
      for (int x = 0; x < out.getWidth(); x++) {
        if (!close(out.getRGB(x, y), BLUE)) {
          minX = Math.min(minX, x);
          minY = Math.min(minY, y);
          maxX = Math.max(maxX, x);
          maxY = Math.max(maxY, y);
        }
      }
    }
    return maxX < 0
        ? "none"
        : minX + "," + minY + " " + (maxX - minX + 1) + "x" + (maxY - minY + 1);
  }

  @Test
  void watermarkUrlUsesThatImageThroughTheGuardedSources_FM22() throws Exception {
    // trim1.png (350x250, grey) in place of the server's geometry.png: grey, not red or green.
    for (ImgdServer s : servers.both()) {
      BufferedImage out =
          image(request(s, "wmu:" + b64("local:///trim1.png") + "/wm:1:nowe/f:png").body());
      assertThat(box(out)).isEqualTo("0,0 350x250");
      int centre = out.getRGB(175, 125);
      assertThat((centre >> 16) & 0xff).isEqualTo(centre & 0xff); // grey: r == b
      HttpResponse<byte[]> forbidden =
          request(s, "wmu:" + b64("http://169.254.169.254/mark.png") + "/wm:1");
      assertThat(forbidden.statusCode()).isEqualTo(403);
      assertThat(new String(forbidden.body(), UTF_8)).contains("watermark_url");
      HttpResponse<byte[]> missing = request(s, "wmu:" + b64("local:///none.png") + "/wm:1");
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(ServerTest.problemCode(missing)).isEqualTo("source_not_found");
    }
  }

  @Test
  void watermarkUrlThatIsNoImageOrAFloodIsRefusedBeforeAnyDecoder_FM01() throws Exception {
    Files.writeString(servers.root().resolve("notes.txt"), "just text");
    Files.write(servers.root().resolve("flood.png"), ServerTest.pngHeader(50_000, 50_000));
    for (ImgdServer s : servers.both()) {
      HttpResponse<byte[]> text = request(s, "wmu:" + b64("local:///notes.txt") + "/wm:1");
      assertThat(text.statusCode()).isEqualTo(415);
      assertThat(new String(text.body(), UTF_8)).contains("watermark_url");
      HttpResponse<byte[]> flood = request(s, "wmu:" + b64("local:///flood.png") + "/wm:1");
      assertThat(flood.statusCode()).isEqualTo(422);
      assertThat(ServerTest.problemCode(flood)).isEqualTo("limit_exceeded");
    }
  }

  @Test
  void watermarkUrlIsDownloadedOnceThenCached() throws Exception {
    try (ScriptedOrigin origin = new ScriptedOrigin()) {
      origin.script = r -> ScriptedOrigin.Reply.ok(Fixtures.bytes("imgproxy-trim1.png"));
      try (ImgdServer imgd = origin.imgd(Map.of())) {
        String wmu =
            "wmu:"
                + Base64.getUrlEncoder()
                    .encodeToString(
                        java.net.URLDecoder.decode(origin.url("/mark.png"), UTF_8).getBytes(UTF_8));
        for (int width : new int[] {100, 120, 140}) {
          HttpResponse<byte[]> r =
              origin.get(imgd, "/" + wmu + "/wm:1/w:" + width + "/plain/local:///Landscape_1.jpg");
          assertThat(r.statusCode()).as(new String(r.body(), UTF_8)).isEqualTo(200);
        }
        assertThat(origin.requests).hasSize(1);
      }
      try (ImgdServer uncached = origin.imgd(Map.of("IMGD_WATERMARKS_CACHE_SIZE", "0"))) {
        String wmu = "wmu:" + b64(java.net.URLDecoder.decode(origin.url("/mark.png"), UTF_8));
        for (int width : new int[] {100, 120}) {
          origin.get(uncached, "/" + wmu + "/wm:1/w:" + width + "/plain/local:///Landscape_1.jpg");
        }
        assertThat(origin.requests).hasSize(3);
      }
    }
  }

  @Test
  void watermarkTextIsRenderedPangoMarkup() throws Exception {
    for (ImgdServer s : servers.both()) {
      BufferedImage out =
          image(request(s, "wmt:" + b64("<b>imgd</b>") + "/wm:1:nowe:10:10/f:png").body());
      String box = box(out);
      assertThat(box).matches("1\\d,1\\d \\d+x\\d+"); // from about 10,10: black sans 16
      int dark = 0;
      for (int y = 0; y < 60; y++) {
        for (int x = 0; x < 120; x++) {
          if ((out.getRGB(x, y) & 0xff) < 64) {
            dark++;
          }
        }
      }
      assertThat(dark).as("black text pixels (%s)", box).isGreaterThan(50);
      // The markup's colour is used: red text has red in it.
      BufferedImage red =
          image(
              request(s, "wmt:" + b64("<span foreground=\"red\">imgd</span>") + "/wm:1/f:png")
                  .body());
      assertThat(box(red)).isNotEqualTo("none");
    }
  }

  @Test
  void watermarkTextThatCannotRenderIsA4xx_FM23() throws Exception {
    for (ImgdServer s : servers.both()) {
      HttpResponse<byte[]> bad = request(s, "wmt:" + b64("<b>open") + "/wm:1");
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(ServerTest.problemCode(bad)).isEqualTo("bad_options");
      // A font size from the markup that would need gigabytes is measured, not rendered.
      HttpResponse<byte[]> huge =
          request(s, "wmt:" + b64("<span size=\"10240000\">HW</span>") + "/wm:1");
      assertThat(huge.statusCode()).isEqualTo(422);
      assertThat(ServerTest.problemCode(huge)).isEqualTo("limit_exceeded");
    }
  }

  @Test
  void watermarkSizeFitsAndEnlarges() throws Exception {
    for (ImgdServer s : servers.both()) {
      assertThat(box(image(request(s, "wms:100:0/wm:1:nowe/f:png").body())))
          .isEqualTo("0,0 100x50");
      assertThat(box(image(request(s, "wms:0:150/wm:1:nowe/f:png").body())))
          .isEqualTo("0,0 300x150");
      assertThat(box(image(request(s, "wms:400:100/wm:1:nowe/f:png").body())))
          .isEqualTo("0,0 200x100");
      // only when the scale is 0
      assertThat(box(image(request(s, "wms:100:0/wm:1:nowe:0:0:0.5/f:png").body())))
          .isEqualTo("0,0 540x270");
    }
  }

  @Test
  void watermarkRotateTurnsIt() throws Exception {
    for (ImgdServer s : servers.both()) {
      assertThat(box(image(request(s, "wmr:90/wm:1:nowe/f:png").body()))).isEqualTo("0,0 100x200");
      BufferedImage turned = image(request(s, "wmr:45/wm:1:nowe/f:png").body());
      // 200x100 turned by 45 degrees spans about 212 pixels each way
      assertThat(box(turned)).matches("\\d,\\d 21\\dx21\\d");
    }
  }

  @Test
  void watermarkShadowDarkensAroundIt() throws Exception {
    for (ImgdServer s : servers.both()) {
      BufferedImage out = image(request(s, "wmsh:5/wm:1:ce/f:png").body());
      // the mark grows by three sigmas each side; the shadow darkens the blue next to it
      String box = box(out);
      assertThat(box).matches("4\\d\\d,3\\d\\d 2\\d\\dx1\\d\\d").isNotEqualTo("440,402 200x100");
      int beside = out.getRGB(440 + 200 + 2, 402 + 50); // 2 pixels right of the mark
      assertThat(beside & 0xff).isLessThan(250).isGreaterThan(0);
      assertThat(request(s, "wmsh:101/wm:1").statusCode()).isEqualTo(400);
    }
  }
}
