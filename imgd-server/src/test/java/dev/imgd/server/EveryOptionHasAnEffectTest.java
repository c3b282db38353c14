package dev.imgd.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.server.settings.Settings;
import dev.imgd.testkit.Fixtures;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing accepted and ignored (issue 16): every option that docs/options.md documents changes the
 * answer. For each row, its example is requested on top of a base request and the answer must
 * differ from the base's: in the image's bytes or in the headers the option is about. Both the
 * default isolated mode and the in-process mode are asked.
 *
 * <p>The rows come from the published reference (which OptionTableTest keeps equal to the option
 * table), so a new option without an effect, or without an example, fails here.
 */
class EveryOptionHasAnEffectTest {
  /**
   * Where an option's effect needs another base, image or argument than the defaults below: the
   * default base fits a 600x450 photo into 300x300, which hides the options about small images,
   * transparency, animation or metadata.
   */
  private record Case(String base, String image, @Nullable String args, int refusedWith) {
    Case(String base, String image, @Nullable String args) {
      this(base, image, args, 0);
    }
  }

  private static final Case DEFAULT = new Case("", "photo.jpg", null);

  private static final Map<String, Case> CASES = new LinkedHashMap<>();

  static {
    CASES.put("min-width", new Case("rs:fit:50:50", "photo.jpg", null));
    CASES.put("min-height", new Case("rs:fit:50:50", "photo.jpg", null));
    CASES.put("enlarge", new Case("rs:fit:1000:1000", "photo.jpg", null));
    CASES.put("extend", new Case("rs:fit:1000:1000", "photo.jpg", null));
    CASES.put("extend_aspect_ratio", new Case("rs:fit:300:100", "photo.jpg", null));
    CASES.put("gravity", new Case("rs:fill:300:100", "photo.jpg", null));
    CASES.put("trim", new Case("", "trim.png", null));
    CASES.put("auto_rotate", new Case("rs:fit:300:300", "rotated.jpg", null));
    CASES.put("background", new Case("rs:fit:300:300", "alpha.png", null));
    CASES.put("strip_color_profile", new Case("rs:fit:300:300", "p3.png", null));
    // An animated result uses every frame (as imgproxy); a still one shows the page.
    CASES.put("page", new Case("f:png", "animated.gif", null));
    CASES.put("resizing_type", new Case("s:300:100", "photo.jpg", null));
    CASES.put("dpr", new Case("s:100:100", "photo.jpg", null));
    CASES.put("pages", new Case("", "animated.gif", null));
    CASES.put("disable_animation", new Case("", "animated.gif", null));
    CASES.put("skip_processing", new Case("rs:fit:50:50", "animated.gif", null));
    CASES.put("quality", new Case("rs:fit:300:300", "photo.jpg", "40"));
    CASES.put("format_quality", new Case("rs:fit:300:300", "photo.jpg", "jpg:40"));
    CASES.put("keep_copyright", new Case("", "copyright.jpg", null));
    CASES.put("preserve_hdr", new Case("f:png", "deep.png", null));
    // The watermark's options change the configured watermark (or replace its image).
    CASES.put("watermark_url", new Case("wm:1", "photo.jpg", base64Url("local:///alpha.png")));
    for (String wm :
        List.of("watermark_text", "watermark_size", "watermark_rotate", "watermark_shadow")) {
      CASES.put(wm, new Case("wm:1", "photo.jpg", null));
    }
    CASES.put("png_options", new Case("f:png", "photo.jpg", null));
    CASES.put("webp_options", new Case("f:webp", "photo.jpg", null));
    CASES.put("avif_options", new Case("f:avif", "photo.jpg", null));
    // The thumbnail embedded in HEIC or AVIF; no other format has one.
    CASES.put("enforce_thumbnail", new Case("", "thumbnail.avif", null));
    // Refusals that are the option's documented effect.
    // The security options (allowed by the servers' setting) tighten the limits.
    CASES.put("max_src_resolution", new Case("", "big.jpg", null, 422));
    CASES.put("max_src_file_size", new Case("", "photo.jpg", null, 413));
    CASES.put("max_animation_frames", new Case("", "animated.gif", null, 422));
    CASES.put("max_animation_frame_resolution", new Case("", "animated.gif", "0.001", 422));
    CASES.put("max_result_dimension", new Case("", "photo.jpg", null, 422));
    // The example's time lies further ahead than the TTL; an hour from now caps Cache-Control.
    CASES.put(
        "expires", new Case("", "photo.jpg", "" + (System.currentTimeMillis() / 1000 + 3600)));
  }

  @TempDir static Path root;
  static List<ImgdServer> servers = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    Files.write(root.resolve("photo.jpg"), Fixtures.bytes("Landscape_1.jpg"));
    Files.write(root.resolve("rotated.jpg"), Fixtures.bytes("Landscape_6.jpg"));
    Files.write(root.resolve("alpha.png"), Fixtures.bytes("with-alpha.png"));
    Files.write(root.resolve("p3.png"), Fixtures.bytes("p3.png"));
    Files.write(root.resolve("deep.png"), Fixtures.bytes("16-bit-grey-alpha.png"));
    Files.write(root.resolve("big.jpg"), Fixtures.bytes("2569067123_aca715a2ee_o.jpg"));
    Files.write(root.resolve("animated.gif"), Fixtures.bytes("animated-loop-3.gif"));
    Files.write(root.resolve("trim.png"), Fixtures.bytes("imgproxy-trim1.png"));
    Files.write(root.resolve("thumbnail.avif"), Fixtures.bytes("landscape-1-thumbnail.avif"));
    Path watermark = root.resolve("watermark.png");
    Files.write(watermark, Fixtures.bytes("Flag_of_the_Netherlands-alpha.png"));
    ServerTest.root = root;
    ServerTest.signer = Signatures.of(Settings.from(ServerTest.settings(Map.of())));
    Map<String, String> settings =
        Map.of(
            "IMGD_PRESETS",
            "thumb=rs:fill:100:100/bl:3",
            "IMGD_WATERMARK_PATH",
            watermark.toString(),
            "IMGD_ALLOW_SECURITY_OPTIONS",
            "true");
    for (String mode : List.of("isolated", "in-process")) {
      Map<String, String> s = new LinkedHashMap<>(settings);
      s.put("IMGD_MODE", mode);
      s.put("IMGD_WORKERS", "1");
      servers.add(ServerTest.start(s));
    }
    // libvips is loaded now, by the in-process server.
    Files.write(root.resolve("copyright.jpg"), copyrighted(Fixtures.bytes("Landscape_1.jpg")));
  }

  @AfterAll
  static void stop() throws Exception {
    for (ImgdServer s : servers) {
      s.close();
    }
  }

  @TestFactory
  Stream<DynamicTest> everyDocumentedOptionChangesTheAnswer() throws Exception {
    List<String[]> rows = documentedOptions();
    assertThat(rows).as("rows of docs/options.md").hasSizeGreaterThan(40);
    return rows.stream()
        .map(row -> DynamicTest.dynamicTest(row[0], () -> assertEffect(row[0], row[1])));
  }

  private static void assertEffect(String option, String example) throws Exception {
    assertThat(example).as("%s has no example in the option table", option).isNotEmpty();
    Case c = CASES.getOrDefault(option, DEFAULT);
    String name = example.substring(0, example.indexOf(':'));
    String segment = c.args() == null ? example : name + ":" + c.args();
    String plain = "/plain/local:///" + c.image();
    // imgproxy signs the path without an empty options segment: "/plain/..", never "//plain/..".
    String without = (c.base().isEmpty() ? "" : "/" + c.base()) + plain;
    String with = (c.base().isEmpty() ? "" : "/" + c.base()) + "/" + segment + plain;
    for (ImgdServer s : servers) {
      if (option.equals("fallback_image_url")) {
        assertFallback(s, "/" + name + ":" + base64Url("local:///photo.jpg"));
        continue;
      }
      if (option.equals("cachebuster")) {
        assertNewVariant(s, without, with);
        continue;
      }
      Answer before = Answer.of(ServerTest.get(s, ServerTest.signed(without)), without);
      if (c.refusedWith() > 0) {
        HttpResponse<byte[]> r = ServerTest.get(s, ServerTest.signed(with));
        assertThat(r.statusCode())
            .as(with + ": " + new String(r.body(), UTF_8))
            .isEqualTo(c.refusedWith());
        continue;
      }
      Answer after = Answer.of(ServerTest.get(s, ServerTest.signed(with)), with);
      assertThat(after)
          .as("%s changes nothing (%s vs %s)", option, with, without)
          .isNotEqualTo(before);
    }
  }

  /**
   * The cache buster's effect: the same image, but a variant of its own, so caches (imgd's result
   * cache among them) miss where the URL without it hits.
   */
  private static void assertNewVariant(ImgdServer s, String without, String with) throws Exception {
    Answer.of(ServerTest.get(s, ServerTest.signed(without)), without);
    long misses = misses(s);
    Answer.of(ServerTest.get(s, ServerTest.signed(without)), without);
    assertThat(misses(s)).as("the URL without it hits").isEqualTo(misses);
    Answer.of(ServerTest.get(s, ServerTest.signed(with)), with);
    assertThat(misses(s)).as("%s misses the result cache", with).isEqualTo(misses + 1);
  }

  /** The fallback image's effect: a source that cannot be had is answered with the fallback. */
  private static void assertFallback(ImgdServer s, String segment) throws Exception {
    String missing = "/plain/local:///missing.jpg";
    assertThat(ServerTest.get(s, ServerTest.signed(missing)).statusCode()).isEqualTo(404);
    Answer.of(ServerTest.get(s, ServerTest.signed(segment + missing)), segment + missing);
  }

  private static String base64Url(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(UTF_8));
  }

  private static long misses(ImgdServer s) throws Exception {
    String metrics = new String(ServerTest.get(s, "/metrics").body(), UTF_8);
    Matcher m =
        Pattern.compile("imgd_cache_requests_total\\{result=\"miss\",tier=\"memory\"\\} ([0-9.]+)")
            .matcher(metrics);
    return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
  }

  /** What an answer shows: its status, the headers options shape, and the bytes' digest. */
  private record Answer(
      int status, String type, String disposition, String cacheControl, String bodyDigest) {
    static Answer of(HttpResponse<byte[]> r, String path) throws Exception {
      assertThat(r.statusCode()).as(path + ": " + new String(r.body(), UTF_8)).isEqualTo(200);
      return new Answer(
          r.statusCode(),
          r.headers().firstValue("Content-Type").orElse(""),
          r.headers().firstValue("Content-Disposition").orElse(""),
          r.headers().firstValue("Cache-Control").orElse(""),
          HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(r.body())));
    }
  }

  /** The JPEG with a copyright notice in its EXIF, which keep_copyright keeps or drops. */
  private static byte[] copyrighted(byte[] jpeg) {
    try (VipsImage source = VipsOperation.of("jpegload_buffer").set("buffer", jpeg).image();
        VipsImage copy = VipsOperation.of("copy").in(source).image()) {
      copy.setStringField("exif-ifd0-Copyright", "(c) imgd tests");
      return VipsOperation.of("jpegsave_buffer").in(copy).bytes();
    }
  }

  /** Each row of docs/options.md's table: the option's name and its example ({@code rs:..}). */
  static List<String[]> documentedOptions() throws Exception {
    List<String[]> rows = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("..", "docs", "options.md"))) {
      String[] cells = line.split("\\|", -1);
      if (cells.length < 10 || !cells[1].trim().startsWith("`")) {
        continue;
      }
      rows.add(new String[] {strip(cells[1]), strip(cells[8])}); // option, example
    }
    return rows;
  }

  private static String strip(String cell) {
    return cell.trim().replace("`", "");
  }
}
