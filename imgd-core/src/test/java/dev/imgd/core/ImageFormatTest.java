package dev.imgd.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.bmp.BmpEncoder;
import dev.imgd.core.probe.Probe;
import dev.imgd.testkit.Fixtures;
import dev.imgd.vips.Capabilities;
import dev.imgd.vips.Vips;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The registry's facts agree with each other, with the probe and with the libvips 8.18 build the
 * tests run on: a new format's spec is checked here as soon as it is added.
 */
@Tag("smoke")
class ImageFormatTest {
  @BeforeAll
  static void startLibvips() {
    if (!Vips.isStarted()) {
      Imgd.builder().threads(1).build().close();
    }
  }

  @ParameterizedTest
  @EnumSource(ImageFormat.class)
  void extensionsAndMimeTypeRoundTrip(ImageFormat f) {
    assertThat(f.extensions()).isNotEmpty().startsWith(f.extension());
    for (String ext : f.extensions()) {
      assertThat(ImageFormat.fromExtension(ext)).contains(f);
      assertThat(ImageFormat.fromExtension(ext.toUpperCase(Locale.ROOT))).contains(f);
    }
    assertThat(f.mimeType()).matches("(image|application)/[a-z0-9.+-]+");
  }

  @Test
  void noTwoFormatsShareAnExtensionOrMimeType() {
    Set<String> extensions = new HashSet<>();
    Set<String> mimeTypes = new HashSet<>();
    for (ImageFormat f : ImageFormat.values()) {
      for (String ext : f.extensions()) {
        assertThat(extensions.add(ext)).as("%s: .%s is taken", f, ext).isTrue();
      }
      assertThat(mimeTypes.add(f.mimeType())).as("%s: %s is taken", f, f.mimeType()).isTrue();
    }
    assertThat(ImageFormat.fromExtension("tga")).isEmpty();
    assertThat(ImageFormat.fromExtension(null)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(ImageFormat.class)
  void specIsConsistent(ImageFormat f) {
    assertThat(f.loader().isPresent() || f.has(ImageFormat.Trait.OWN_CODEC))
        .as("%s: a libvips loader or imgd's own codec", f)
        .isTrue();
    f.loader().ifPresent(l -> assertThat(l).endsWith("load_buffer"));
    f.loaderClass().ifPresent(c -> assertThat(c).startsWith("VipsForeignLoad"));
    assertThat(f.loaderClass().isPresent()).isEqualTo(f.loader().isPresent());
    f.saver().ifPresent(s -> assertThat(s).endsWith("save_buffer"));
    assertThat(f.defaultQuality()).isBetween(1, 100);
    if (f.isOutput() && !f.has(ImageFormat.Trait.OWN_CODEC)) {
      assertThat(f.saver()).as("%s is an output: it needs a saver", f).isPresent();
      assertThat(f.isVector()).as("%s: a saver writes raster images", f).isFalse();
    }
    if (f.has(ImageFormat.Trait.CODEC_PLUGIN)) {
      assertThat(f.saver()).as("%s is proven by a round trip: it needs a saver", f).isPresent();
    }
    if (f.isVector()) {
      assertThat(f.reach()).isEqualTo(ImageFormat.Reach.WORKER);
    }
    assertThat(f.has(ImageFormat.Trait.LOAD_SHRINK) && f.has(ImageFormat.Trait.LOAD_SCALE))
        .as("one shrink-on-load argument")
        .isFalse();
  }

  /**
   * The loader, and for an output the saver, of every format no build lacks is in the build, and
   * the build writes it; a format that names what a build needs for it may be missing (JPEG XL and
   * HEVC are only in the system's build, read and written through its worker pool).
   */
  @ParameterizedTest
  @EnumSource(ImageFormat.class)
  void theBuildHasTheLoadersAndSavers(ImageFormat f) {
    Capabilities caps = Vips.capabilities();
    if (f.buildNeeds().isEmpty()) {
      f.loader().ifPresent(l -> assertThat(caps.has(l)).as("%s in the build", l).isTrue());
      if (f.isOutput()) {
        f.saver().ifPresent(s -> assertThat(s).matches(caps::has, "is in the build"));
        assertThat(ImageFormat.writable()).contains(f);
      }
    }
  }

  /** The probe recognises what each format's saver writes (and a tiny document by hand). */
  @ParameterizedTest
  @EnumSource(ImageFormat.class)
  void probeRecognisesASample(ImageFormat f) {
    assertThat(Probe.read(sample(f)).format()).isEqualTo(f);
  }

  @Test
  void inProcessAndWorkerReachesSplitTheFormats() {
    Set<ImageFormat> reads = ImageFormat.readable(EnumSet.of(ImageFormat.Reach.IN_PROCESS));
    assertThat(reads).noneMatch(ImageFormat::isVector);
    assertThat(ImageFormat.loaderClasses(EnumSet.of(ImageFormat.Reach.IN_PROCESS)))
        .doesNotContain(
            ImageFormat.SVG.loaderClass().orElseThrow(),
            ImageFormat.PDF.loaderClass().orElseThrow());
  }

  private static byte[] sample(ImageFormat f) {
    return switch (f) {
      case SVG ->
          "<svg xmlns='http://www.w3.org/2000/svg' width='8' height='8'/>"
              .getBytes(StandardCharsets.UTF_8);
      case PDF -> "%PDF-1.7\n".getBytes(StandardCharsets.US_ASCII);
      case TIFF -> encode("tiffsave_buffer", f);
      case HEIC -> Fixtures.bytes("landscape-1.heic"); // the 8.18 build writes no HEVC
      case JXL -> Fixtures.bytes("landscape-1.jxl"); // nor JPEG XL
      case BMP -> BmpEncoder.bmp(new byte[16 * 16 * 3], 16, 16, 3);
      case ICO -> BmpEncoder.icon(encode("pngsave_buffer", ImageFormat.PNG), 16, 16, 3);
      default ->
          f.saver()
              .map(s -> encode(s, f))
              .orElseThrow(() -> new AssertionError("no sample of " + f + ": give it one here"));
    };
  }

  private static byte[] encode(String saver, ImageFormat f) {
    if (!Vips.capabilities().has(saver)) {
      return null;
    }
    try (VipsImage tiny = VipsImage.fromPixels(new byte[16 * 16 * 3], 16, 16, 3)) {
      VipsOperation save = VipsOperation.of(saver);
      f.saveOptions().forEach(save::set);
      return save.in(tiny).bytes();
    } catch (RuntimeException e) {
      return null; // a codec plugin this build lacks (HEVC)
    }
  }
}
