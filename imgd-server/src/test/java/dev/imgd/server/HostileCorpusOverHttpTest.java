package dev.imgd.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.core.probe.Probe;
import dev.imgd.server.settings.Settings;
import dev.imgd.testkit.Fixtures;
import dev.imgd.testkit.hostile.HostileFile;
import dev.imgd.testkit.hostile.HostileFile.Expectation;
import dev.imgd.testkit.hostile.HostileFiles;
import dev.imgd.vips.VipsException;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 17, item 4: the generated hostile corpus (every failure mode of {@link HostileFiles}: FM-01
 * pixel floods, FM-02 oversized sources, FM-11 truncations, FM-17 metadata, FM-20 animation, FM-22
 * vectors) and cuts of the test images, an interlaced PNG among them, served through a real server
 * over HTTP, isolated and in process. Every answer is typed: a 200 with a valid image of the asked
 * format, a 4xx problem for the input's fault, or imgd's own 503 (with Retry-After) or 504; never a
 * 500 (FM-12), and never a 200 for a file the header probe must refuse. bench/hostile.sh is the
 * full-size run.
 */
class HostileCorpusOverHttpTest {
  private static final int CUTS = 12;
  private static final String CUT = "-truncated-at-";
  private static final List<String> CUT_IMAGES =
      List.of(
          "Landscape_1.jpg",
          "with-alpha.png",
          "animated-loop-3.gif",
          "animated-loop-3.webp",
          "4.webp",
          "sdr_cosmos12920_cicp1-13-6_yuv444_full_qp10.avif");

  @TempDir static Path root;
  static List<HostileFile> corpus;
  // Also starts libvips in this process, which checks the body of every 200.
  static ImgdServer inProcess;

  @BeforeAll
  static void writeCorpus() throws Exception {
    ServerTest.root = root;
    ServerTest.signer = Signatures.of(Settings.from(ServerTest.settings(Map.of())));
    inProcess = server("in-process");
    byte[] interlaced = interlacedPng();
    List<HostileFile> files = new ArrayList<>(HostileFiles.all());
    for (String image : CUT_IMAGES) {
      files.addAll(truncations(image, Fixtures.bytes(image)));
    }
    files.addAll(truncations("interlaced.png", interlaced));
    HostileFiles.writeTo(root, files);
    for (String image : CUT_IMAGES) {
      Files.write(root.resolve(image), Fixtures.bytes(image));
    }
    Files.write(root.resolve("interlaced.png"), interlaced);
    corpus = List.copyOf(files);
  }

  @AfterAll
  static void stop() throws Exception {
    inProcess.close();
  }

  private static ImgdServer server(String mode) throws Exception {
    return ServerTest.start(
        Map.of(
            "IMGD_MODE",
            mode,
            "IMGD_LOCAL_ROOT",
            root.toString(),
            "IMGD_TIMEOUT",
            "10",
            "IMGD_CACHE_MAX_BYTES",
            "0"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"isolated", "in-process"})
  void everyHostileFileGetsATypedAnswerNeverA500(String mode) throws Exception {
    Map<String, String> answers = new ConcurrentHashMap<>();
    List<String> wrong = new ArrayList<>();
    ImgdServer server = mode.equals("in-process") ? inProcess : server(mode);
    try (ExecutorService clients = Executors.newFixedThreadPool(3)) {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < corpus.size(); i++) {
        HostileFile f = corpus.get(i);
        boolean post = i % 3 == 0;
        results.add(
            clients.submit(() -> {
              String verdict = send(server, f, false, answers);
              return verdict != null || !post ? verdict : send(server, f, true, answers);
            }));
      }
      for (Future<String> r : results) {
        String verdict = r.get();
        if (verdict != null) {
          wrong.add(verdict);
        }
      }
    } finally {
      if (server != inProcess) {
        server.close();
      }
    }
    Map<String, Long> counts = new TreeMap<>();
    answers.values().forEach(a -> counts.merge(a, 1L, Long::sum));
    assertThat(wrong).as("%s: %d files, answers %s", mode, corpus.size(), counts).isEmpty();
    assertThat(counts).as("every file answered").isNotEmpty();
  }

  /** Null when the answer is typed and right for the file, else what is wrong, with its FM id. */
  private static String send(
      ImgdServer server, HostileFile f, boolean post, Map<String, String> answers)
      throws Exception {
    String file = f.name() + "." + HostileFiles.extension(f);
    String format = post ? "png" : "jpg";
    HttpResponse<byte[]> r =
        post
            ? ServerTest.post(server, "rs:fit:300:0/f:png", f.bytes())
            : ServerTest.get(
                server, ServerTest.signed("/rs:fit:300:0/plain/local:///" + file + "@jpg"));
    String what =
        "%s %s (%s, %s)".formatted(post ? "POST" : "GET", file, f.failureMode(), f.expected());
    String label = r.statusCode() == 200 ? "200" : ServerTest.status(r);
    answers.put(what, label);
    String body = new String(r.body(), UTF_8);
    if (r.statusCode() == 200) {
      if (f.expected().probeError().isPresent() || f.expected() == Expectation.TOO_LARGE) {
        return what + ": 200 for a file the probe must refuse";
      }
      String bad = badImage(r, ImageFormat.fromExtension(format).orElseThrow());
      String intact = f.name().replaceFirst(CUT + "\\d+$", "");
      if (bad == null && Files.isRegularFile(root.resolve(intact))) {
        // FM-11: a cut test image gives the whole file's image (only an end was lost) or is
        // refused.
        HttpResponse<byte[]> whole =
            post
                ? ServerTest.post(
                    server, "rs:fit:300:0/f:png", Files.readAllBytes(root.resolve(intact)))
                : ServerTest.get(
                    server, ServerTest.signed("/rs:fit:300:0/plain/local:///" + intact + "@jpg"));
        bad = Arrays.equals(whole.body(), r.body()) ? null : "not the intact file's image";
      }
      return bad == null ? null : what + ": 200 with a bad body: " + bad;
    }
    boolean typed =
        r.statusCode() >= 400 && r.statusCode() < 500
            || r.statusCode() == 503 && r.headers().firstValue("Retry-After").isPresent()
            || r.statusCode() == 504;
    if (!typed || body.contains("Exception") || body.contains("\tat ")) {
      return what + ": " + label + " " + body;
    }
    return null;
  }

  /** Null when the body is a whole image of the format, else what is wrong with it. */
  private static String badImage(HttpResponse<byte[]> r, ImageFormat format) {
    String type = r.headers().firstValue("Content-Type").orElse("");
    if (!type.equals(format.mimeType())) {
      return "Content-Type " + type;
    }
    try {
      if (Probe.read(r.body()).format() != format) {
        return "a " + Probe.read(r.body()).format() + " body";
      }
      try (VipsImage img =
              VipsOperation.of(format.loader().orElseThrow())
                  .set("buffer", r.body())
                  .set("fail_on", "truncated")
                  .image();
          VipsOperation.Outputs avg = VipsOperation.of("avg").in(img).call("out")) {
        return avg.doubleValue("out") >= 0 ? null : "no pixels";
      }
    } catch (ImgdException | VipsException e) {
      return e.getMessage();
    }
  }

  private static List<HostileFile> truncations(String name, byte[] bytes) {
    // Whatever the probe makes of a cut, its answer must be typed: the expectation is only a name.
    return HostileFiles.truncations(name, bytes, CUTS, cut -> Expectation.TRUNCATED);
  }

  /**
   * An interlaced (Adam7) PNG, made by imgd (pngo:1): truncated, it reached the encoder as a 500
   * (issue 17).
   */
  private static byte[] interlacedPng() throws Exception {
    HttpResponse<byte[]> r =
        ServerTest.post(inProcess, "rs:fit:600:0/pngo:1/f:png", Fixtures.bytes("Landscape_1.jpg"));
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }
}
