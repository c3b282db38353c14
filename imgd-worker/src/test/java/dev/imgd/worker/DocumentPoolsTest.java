package dev.imgd.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.Imgd;
import dev.imgd.core.ImgdException;
import dev.imgd.testkit.Fixtures;
import dev.imgd.vips.VipsSettings;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pools per libvips build, routed by the probed format: the fast build first, the system's build
 * (Debian's libvips42: HEIC through libde265, PDF through poppler) for what only it reads. PDF and
 * SVG are measured by a worker before the plan, and their own rules apply (FM-01, FM-22).
 */
class DocumentPoolsTest {
  private static Optional<Path> system;
  private static IsolatedEngine engine;
  private static Imgd imgd;

  @BeforeAll
  static void start() {
    system = VipsSettings.systemLibrary();
    List<Path> libraries = new ArrayList<>(List.of(TestImages.library()));
    system.filter(s -> !s.equals(TestImages.library())).ifPresent(libraries::add);
    engine = IsolatedEngine.start(IsolatedEngine.Settings.defaults(libraries, 1));
    imgd = Imgd.builder().engine(engine).build();
    // Asserted, not assumed: ./imgd test installs the system build first, so a missing format is
    // a failure to see, never a quietly skipped test.
    assertThat(engine.reads())
        .as("formats read by %s (the system build is Debian's libvips42)", libraries)
        .contains(ImageFormat.PDF, ImageFormat.HEIC, ImageFormat.SVG);
  }

  @AfterAll
  static void stop() {
    imgd.close();
  }

  @Test
  void pdfPageTwoIsRenderedWithinLimits() {
    // Page 2 (index 1) is 300x200 pt; pages 1 and 3 are other sizes.
    byte[] pdf = pdf(new int[][] {{612, 792}, {300, 200}, {100, 400}});
    Imgd.Result r = imgd.process(pdf, "pg:1/rs:fit:600:0/el:1/f:png");
    assertThat(r.width()).isEqualTo(600);
    assertThat(r.height()).isEqualTo(400);
    // Rendered at the output's scale, not at 72 dpi and enlarged.
    assertThat(r.plan().load().scale()).isEqualTo(2.0);
  }

  @Test
  void pdfWithAbsurdPageSizeIsRefused() {
    // The second: poppler clamps a 1e9 pt box to a sane size, so only the declared box tells.
    for (int side : new int[] {200_000, 1_000_000_000}) {
      byte[] pdf = pdf(new int[][] {{144_010, side}});
      assertThatThrownBy(() -> imgd.process(pdf, "rs:fit:300:0/f:png"))
          .isInstanceOfSatisfying(
              ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED));
    }
  }

  @Test
  void pdfPagePastTheEndIsABadOption() {
    byte[] pdf = pdf(new int[][] {{612, 792}});
    assertThatThrownBy(() -> imgd.process(pdf, "pg:3/f:png"))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_OPTIONS));
  }

  @Test
  void heicIsConvertedByTheSystemPool() {
    Imgd.Result r = imgd.process(Fixtures.bytes("landscape-1.heic"), "rs:fit:150:0/f:jpg");
    assertThat(r.width()).isEqualTo(150);
    assertThat(r.format()).isEqualTo(ImageFormat.JPEG);
  }

  /**
   * enforce_thumbnail on HEIC, through the system build's heifload: its 64x48 thumbnail, else the
   * 300x225 primary (a grid over a 300x226 coded tile, which the plan must not take for its size).
   */
  @Test
  void heicEmbeddedThumbnailIsLoadedWithEnforceThumbnail() {
    byte[] heic = Fixtures.bytes("landscape-1-thumbnail.heic");
    Imgd.Result thumbnail = imgd.process(heic, "eth:1/f:png");
    assertThat(thumbnail.width() + "x" + thumbnail.height()).isEqualTo("64x48");
    assertThat(thumbnail.plan().load().thumbnail()).isTrue();
    Imgd.Result primary = imgd.process(heic, "eth:0/f:png");
    assertThat(primary.width() + "x" + primary.height()).isEqualTo("300x225");
    Imgd.Result plain =
        imgd.process(Fixtures.bytes("landscape-1.heic"), "eth:1/rs:fill:300:225/f:png");
    assertThat(plain.width() + "x" + plain.height()).isEqualTo("300x225");
  }

  /**
   * A job goes to the first pool that reads its input and writes its output: JPEG XL and HEIC out
   * through the system's build, TIFF in and out through the first (imgproxy's format matrix).
   */
  @Test
  void eachConversionGoesToAPoolThatDoesBoth() {
    byte[] jpeg = Fixtures.bytes("Landscape_1.jpg");
    for (ImageFormat out : List.of(ImageFormat.JXL, ImageFormat.HEIC, ImageFormat.TIFF)) {
      Imgd.Result r = imgd.process(jpeg, "rs:fit:120:0/f:" + out.extension());
      assertThat(r.format()).isEqualTo(out);
      assertThat(r.width()).isEqualTo(120);
    }
    Imgd.Result fromJxl = imgd.process(Fixtures.bytes("with-alpha.jxl"), "rs:fit:50:0");
    assertThat(fromJxl.format())
        .as("JPEG XL in, JPEG XL out by default")
        .isEqualTo(ImageFormat.JXL);
    byte[] tiff = imgd.process(jpeg, "rs:fit:64:0/f:tiff").bytes();
    Imgd.Result fromTiff = imgd.process(tiff, "rs:fit:32:0/f:webp");
    assertThat(fromTiff.width()).isEqualTo(32);
    assertThat(engine.writes(ImageFormat.JPEG)).contains(ImageFormat.JXL, ImageFormat.HEIC);
  }

  @Test
  void systemPoolStartsOnItsFirstJob() {
    List<Path> libraries = List.of(TestImages.library(), system.orElseThrow());
    try (IsolatedEngine own = IsolatedEngine.start(IsolatedEngine.Settings.defaults(libraries, 1));
        Imgd imgd = Imgd.builder().engine(own).build()) {
      // Routed at start-up (its libvips was asked what it reads) but no worker kept running.
      assertThat(own.reads()).contains(ImageFormat.HEIC);
      assertThat(own.stats().size()).isEqualTo(1);
      assertThat(own.stats().live()).isEqualTo(1);
      Imgd.Result r = imgd.process(Fixtures.bytes("landscape-1.heic"), "rs:fit:100:0/f:jpg");
      assertThat(r.width()).isEqualTo(100);
      assertThat(own.stats().size()).isEqualTo(2);
      assertThat(own.stats().live()).isEqualTo(2);
    }
  }

  @Test
  void svgIsRenderedAtTheOutputScale() {
    byte[] svg =
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="100" height="50">
          <rect width="100" height="50" fill="#c00"/><circle cx="50" cy="25" r="20" fill="url(#g)"/>
          <defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>
        </svg>\
        """
            .getBytes(StandardCharsets.UTF_8);
    Imgd.Result r = imgd.process(svg, "rs:fit:400:0/el:1/f:png");
    assertThat(r.width()).isEqualTo(400);
    assertThat(r.height()).isEqualTo(200);
  }

  @Test
  void svgWithOutsideReferencesOrEntitiesIsRefused() {
    for (String body :
        List.of(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\""
                + " width=\"10\" height=\"10\"><image xlink:href=\"file:///etc/passwd\"/></svg>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><image"
                + " href=\"http://169.254.169.254/latest\"/></svg>",
            "<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY a \"aaaa\">]><svg"
                + " xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\">&a;</svg>")) {
      assertThatThrownBy(() -> imgd.process(body.getBytes(StandardCharsets.UTF_8), "f:png"))
          .isInstanceOfSatisfying(
              ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED));
    }
  }

  @Test
  void svgWithAbsurdSizeIsRefused() {
    byte[] svg =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1000000\" height=\"1000000\"/>"
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> imgd.process(svg, "rs:fit:100:0/f:png"))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED));
  }

  /** A PDF with one filled rectangle per page, pages of the given sizes in points. */
  static byte[] pdf(int[][] pages) {
    List<String> objects = new ArrayList<>();
    int n = pages.length;
    StringBuilder kids = new StringBuilder();
    for (int i = 0; i < n; i++) {
      kids.append(3 + 2 * i).append(" 0 R ");
    }
    objects.add("<< /Type /Catalog /Pages 2 0 R >>");
    objects.add("<< /Type /Pages /Kids [" + kids + "] /Count " + n + " >>");
    for (int i = 0; i < n; i++) {
      int w = pages[i][0];
      int h = pages[i][1];
      objects.add(
          "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R >>"
              .formatted(w, h, 4 + 2 * i));
      String content = "0.8 0.1 0.1 rg 10 10 %d %d re f".formatted(w / 2, h / 2);
      objects.add("<< /Length " + content.length() + " >>\nstream\n" + content + "\nendstream");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<Integer> offsets = new ArrayList<>();
    write(out, "%PDF-1.4\n");
    for (int i = 0; i < objects.size(); i++) {
      offsets.add(out.size());
      write(out, (i + 1) + " 0 obj\n" + objects.get(i) + "\nendobj\n");
    }
    int xref = out.size();
    StringBuilder x = new StringBuilder("xref\n0 " + (objects.size() + 1) + "\n");
    x.append("0000000000 65535 f \n");
    for (int off : offsets) {
      x.append("%010d 00000 n \n".formatted(off));
    }
    x.append("trailer\n<< /Size ")
        .append(objects.size() + 1)
        .append(" /Root 1 0 R >>\nstartxref\n")
        .append(xref)
        .append("\n%%EOF\n");
    write(out, x.toString());
    return out.toByteArray();
  }

  private static void write(ByteArrayOutputStream out, String s) {
    out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
  }
}
