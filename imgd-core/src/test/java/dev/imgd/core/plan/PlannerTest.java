package dev.imgd.core.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.core.Limits;
import dev.imgd.core.options.Options;
import dev.imgd.core.options.OptionsParser;
import dev.imgd.core.probe.Probe;
import dev.imgd.core.probe.ProbeResult;
import dev.imgd.testkit.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The planner touches no pixel: every decision here is made from the header and the options. */
class PlannerTest {
  private static final Set<ImageFormat> WEB =
      EnumSet.of(
          ImageFormat.JPEG, ImageFormat.PNG, ImageFormat.WEBP, ImageFormat.GIF, ImageFormat.AVIF);
  private static final Planner PLANNER = new Planner(Limits.DEFAULTS, WEB, WEB, false);
  private static final OptionsParser PARSER = new OptionsParser(Map.of());

  private static Plan plan(String image, String options) {
    return PLANNER.plan(Probe.read(Fixtures.bytes(image)), PARSER.parse(options));
  }

  @ParameterizedTest(name = "{0} to {1} px wide: shrink {2}")
  @CsvSource({
    "2569067123_aca715a2ee_o.jpg, 720, 2", // 2725/720 = 3.8: DCT 1/2, then lanczos3
    "2569067123_aca715a2ee_o.jpg, 300, 8", // 9.1
    "2569067123_aca715a2ee_o.jpg, 600, 4", // 4.5
    "2569067123_aca715a2ee_o.jpg, 2000, 1",
    "4.webp, 250, 4", // WebP scale-on-load too
    "alpha-premultiply-2048x1536-paper.png, 200, 1", // PNG has none
  })
  void choosesTheShrinkOnLoadFactor_FM03(String image, int width, int shrink) {
    assertThat(plan(image, "w:" + width).load().shrink()).isEqualTo(shrink);
  }

  /**
   * enforce_thumbnail: the plan loads the embedded thumbnail (64x48) and sizes the geometry and the
   * memory by it; without the option, without a thumbnail or for another page, the image itself.
   */
  @Test
  void enforceThumbnailPlansTheEmbeddedThumbnail() {
    Plan thumbnail = plan("landscape-1-thumbnail.avif", "eth:1");
    assertThat(thumbnail.load().thumbnail()).isTrue();
    assertThat(thumbnail.geometry().sourceWidth()).isEqualTo(64);
    assertThat(thumbnail.geometry().width()).isEqualTo(64);
    Plan primary = plan("landscape-1-thumbnail.avif", "eth:0");
    assertThat(primary.load().thumbnail()).isFalse();
    assertThat(primary.geometry().sourceWidth()).isEqualTo(300);
    assertThat(thumbnail.memoryEstimate()).isLessThan(primary.memoryEstimate());
    assertThat(plan("landscape-1-thumbnail.avif", "eth:1/pg:1").load().thumbnail()).isFalse();
    assertThat(plan("Landscape_1.jpg", "eth:1").load().thumbnail()).isFalse();
  }

  @Test
  void trimNeedsEveryPixel() {
    assertThat(plan("2569067123_aca715a2ee_o.jpg", "w:300/t:10").load().shrink()).isEqualTo(1);
  }

  /**
   * Trim decides the source size in the run: the plan gives the geometry for the trimmed size, and
   * refuses a size it cannot lead to (how the server checks a worker's report) or a trimmed result
   * over the limit (a smaller source can give a larger result: 300x200 at h:900 is 1350 wide).
   */
  @Test
  void geometryForATrimmedSourceIsCheckedAgainstThePlan() {
    Plan untrimmed = plan("Landscape_1.jpg", "w:300");
    assertThat(untrimmed.geometryFor(600, 450)).isEqualTo(untrimmed.geometry());
    assertOutputInvalid(untrimmed, 300, 450); // no trim: only the source size

    Plan trimmed = plan("Landscape_1.jpg", "w:300/t:10");
    assertThat(trimmed.geometryFor(600, 450)).isEqualTo(trimmed.geometry());
    assertThat(trimmed.geometryFor(400, 400).width()).isEqualTo(300);
    assertThat(trimmed.geometryFor(400, 400).height()).isEqualTo(300);
    assertThat(trimmed.geometryAfterTrim(400, 400)).isEqualTo(trimmed.geometryFor(400, 400));
    assertOutputInvalid(trimmed, 601, 450); // larger than the source
    assertOutputInvalid(trimmed, 0, 450);

    Planner small = new Planner(Limits.builder().maxResultSide(1300).build(), WEB, WEB, false);
    Plan tall =
        small.plan(Probe.read(Fixtures.bytes("Landscape_1.jpg")), PARSER.parse("h:900/el:1/t:10"));
    assertThat(tall.geometry().width()).isEqualTo(1200); // within the limit untrimmed
    // trimmed to 300x200, h:900 makes it 1350 wide
    assertThatThrownBy(() -> tall.geometryFor(300, 200))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED));
  }

  private static void assertOutputInvalid(Plan plan, int width, int height) {
    assertThatThrownBy(() -> plan.geometryFor(width, height))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OUTPUT_INVALID));
  }

  @Test
  void outputFormatFollowsTheSourceOrTheOption() {
    assertThat(plan("4.webp", "w:100").output().format()).isEqualTo(ImageFormat.WEBP);
    assertThat(plan("4.webp", "w:100/f:avif").output().format()).isEqualTo(ImageFormat.AVIF);
    assertThat(plan("Landscape_1.jpg", "w:100").output().quality()).isEqualTo(80);
    assertThat(plan("Landscape_1.jpg", "w:100/f:webp").output().quality()).isEqualTo(79);
    assertThat(plan("Landscape_1.jpg", "w:100/q:55").output().quality()).isEqualTo(55);
  }

  @Test
  void animationsKeepTheirFramesOnlyWhereTheFormatCan() {
    assertThat(plan("animated-loop-3.gif", "w:100").frames()).isEqualTo(10);
    assertThat(plan("animated-loop-3.gif", "w:100").load().pages()).isEqualTo(-1);
    assertThat(plan("animated-loop-3.gif", "w:100/f:png").frames()).isEqualTo(1);
    assertThat(plan("animated-loop-3.webp", "w:100/da:1").frames()).isEqualTo(1);
  }

  @Test
  void pageOfAnAnimatedResultIsIgnoredNotA422() {
    // pg:2 on an animated GIF to GIF loaded frames 2.. and CheckFrames refused the sound file.
    Plan animated = plan("animated-loop-3.gif", "pg:2");
    assertThat(animated.load().page()).isZero();
    assertThat(animated.frames()).isEqualTo(10);
    Plan still = plan("animated-loop-3.gif", "pg:2/f:png");
    assertThat(still.load().page()).isEqualTo(2);
    assertThat(still.frames()).isEqualTo(1);
  }

  @Test
  void orientationSwapsTheGeometry() {
    Plan p = plan("Landscape_6.jpg", "w:300");
    assertThat(p.orientation()).isEqualTo(6);
    assertThat(p.geometry().width()).isEqualTo(300);
    assertThat(p.geometry().height()).isEqualTo(225);
    assertThat(plan("Landscape_6.jpg", "ar:0/w:300").geometry().height()).isEqualTo(400);
  }

  @Test
  void refusesFormatsThisEngineCannotReadOrWrite() {
    Planner jpegOnly =
        new Planner(
            Limits.DEFAULTS, EnumSet.of(ImageFormat.JPEG), EnumSet.of(ImageFormat.JPEG), false);
    ProbeResult png = Probe.read(Fixtures.bytes("with-alpha.png"));
    assertThatThrownBy(() -> jpegOnly.plan(png, Options.DEFAULTS))
        .isInstanceOfSatisfying(
            ImgdException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_FORMAT);
              assertThat(e.getMessage()).contains("PNG").contains("imgd doctor");
            });
    ProbeResult jpeg = Probe.read(Fixtures.bytes("Landscape_1.jpg"));
    assertThatThrownBy(() -> jpegOnly.plan(jpeg, PARSER.parse("f:avif")))
        .isInstanceOfSatisfying(
            ImgdException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_FORMAT);
              assertThat(e.getMessage()).contains("AVIF").contains("AV1");
            });
  }

  @Test
  void refusesResultsOverTheLimit_FM23() { // FM-23: caps on result dimensions
    Planner small = new Planner(Limits.builder().maxResultSide(1000).build(), WEB, WEB, false);
    ProbeResult jpeg = Probe.read(Fixtures.bytes("Landscape_1.jpg"));
    assertThatThrownBy(() -> small.plan(jpeg, PARSER.parse("rs:force:5000:500/el:1")))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED));
  }

  @Test
  void theMemoryEstimateFollowsTheOutput_FM03() {
    long small = plan("2569067123_aca715a2ee_o.jpg", "w:300").memoryEstimate();
    long large = plan("2569067123_aca715a2ee_o.jpg", "w:2400").memoryEstimate();
    assertThat(small).isLessThan(large / 4);
  }

  @Test
  void anAutoqualitySearchIsCounted_FM16() { // FM-16: admission by the memory estimate
    String image = "2569067123_aca715a2ee_o.jpg";
    long plain = plan(image, "w:720").memoryEstimate();
    // the result rendered once and the trial it judges, decoded
    assertThat(plan(image, "w:720/aq:dssim").memoryEstimate() - plain)
        .isGreaterThanOrEqualTo(720L * 588 * 3 * 2);
    // a PNG result takes no quality: nothing is searched
    assertThat(plan(image, "w:720/aq:dssim/f:png").memoryEstimate())
        .isEqualTo(plan(image, "w:720/f:png").memoryEstimate());
  }

  @Test
  void aTiledWatermarkIsCounted_FM16() { // FM-16: admission by the memory estimate
    String image = "2569067123_aca715a2ee_o.jpg";
    long placed = plan(image, "w:720/wm:1:ce").memoryEstimate();
    // the tiles over the result, in either order, one RGBA layer the result's size
    assertThat(plan(image, "w:720/wm:1:ch").memoryEstimate() - placed).isEqualTo(720L * 588 * 4);
    assertThat(plan(image, "w:720/wm:1:re").memoryEstimate() - placed).isEqualTo(720L * 588 * 4);
  }

  @Test
  void aPlanIsSerialisable() throws Exception {
    try (var out = new ObjectOutputStream(new ByteArrayOutputStream())) {
      out.writeObject(plan("Landscape_6.jpg", "rs:fill:100:100/g:sm/wm:0.5/f:webp"));
    }
  }
}
