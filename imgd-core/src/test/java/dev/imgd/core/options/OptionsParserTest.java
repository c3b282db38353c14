package dev.imgd.core.options;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class OptionsParserTest {
  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  static final OptionsParser PLAIN = parser(Map.of(), false);

  static OptionsParser parser(Map<String, String> presets, boolean onlyPresets) {
    return OptionsParser.builder()
        .presets(presets)
        .onlyPresets(onlyPresets)
        .clock(InstantSource.fixed(NOW))
        .build();
  }

  static Options parse(String s) {
    return PLAIN.parse(s);
  }

  static void assertBad(String options, String... messageParts) {
    assertThatThrownBy(() -> parse(options))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_OPTIONS))
        .message()
        .contains(messageParts);
  }

  @Test
  void emptyStringGivesImgproxyDefaults() {
    Options o = parse("");
    assertThat(o).isEqualTo(Options.DEFAULTS);
    assertThat(o.resizingType()).isEqualTo(ResizingType.FIT);
    assertThat(o.width()).isZero();
    assertThat(o.height()).isZero();
    assertThat(o.zoomX()).isEqualTo(1);
    assertThat(o.dpr()).isEqualTo(1);
    assertThat(o.enlarge()).isFalse();
    assertThat(o.extend()).isEqualTo(Extend.OFF);
    assertThat(o.gravity()).isEqualTo(Gravity.CENTER);
    assertThat(o.cropGravity()).isEmpty();
    assertThat(o.crop().trim().enabled()).isFalse();
    assertThat(o.crop().trim().threshold()).isEqualTo(10);
    assertThat(o.autoRotate()).isTrue();
    assertThat(o.rotate()).isZero();
    assertThat(o.effects().flatten()).isFalse();
    assertThat(o.effects().background()).isEqualTo(Rgb.WHITE);
    assertThat(o.watermark().enabled()).isFalse();
    assertThat(o.watermark().opacity()).isEqualTo(1);
    assertThat(o.metadata().stripMetadata()).isTrue();
    assertThat(o.metadata().keepCopyright()).isTrue();
    assertThat(o.metadata().stripColorProfile()).isTrue();
    assertThat(o.output().quality()).isZero();
    assertThat(o.format()).isEmpty();
    assertThat(o.input().page()).isZero();
    assertThat(o.input().pages()).isEqualTo(1);
    assertThat(o.response().expires()).isZero();
  }

  /** Each full name and its aliases mean the same, and each option changes something. */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "resize,rs | fill:300:200:1:1:so:1:2",
        "size,s | 300:200:1",
        "resizing_type,rt | fill-down",
        "width,w | 10",
        "height,h | 10",
        "min-width,mw | 5",
        "min-height,mh | 5",
        "zoom,z | 1.5",
        "dpr | 2",
        "enlarge,el | 1",
        "extend,ex | 1:so",
        "extend_aspect_ratio,extend_ar,exar | t:no:0.1:0.2",
        "gravity,g | noea:5:6",
        "crop,c | 0.5:100:we",
        "trim,t | 5:fff:1:0",
        "padding,pd | 1:2:3:4",
        "auto_rotate,ar | 0",
        "rotate,rot | 90",
        "flip,fl | 1:0",
        "background,bg | 10:20:30",
        "blur,bl | 2",
        "sharpen,sh | 0.5",
        "pixelate,pix | 4",
        "watermark,wm | 0.5:re:1:2:0.3",
        "watermark_url,wmu | aHR0cHM6Ly9leGFtcGxlLmNvbS9tYXJrLnBuZw",
        "watermark_text,wmt | PGI-aW1nZDwvYj4",
        "watermark_size,wms | 120:40",
        "watermark_rotate,wm_rot,wmr | 30",
        "watermark_shadow,wmsh | 2",
        "strip_metadata,sm | 0",
        "keep_copyright,kcr | f",
        "strip_color_profile,scp | false",
        "enforce_thumbnail,eth | true",
        "quality,q | 80",
        "format_quality,fq | jpg:80:webp:70",
        "max_bytes,mb | 1000",
        "format,f,ext | webp",
        "page,pg | 2",
        "pages,pgs | 3",
        "disable_animation,da | 1",
        "skip_processing,skp | svg:gif",
        "raw | 1",
        "cachebuster,cb | abc",
        "expires,exp | 2000000000",
        "filename,fn | name.jpg",
        "return_attachment,att | 1",
      })
  void everyOptionAndAlias(String names, String args) {
    String[] all = names.split(",");
    Options first = parse(all[0] + ":" + args);
    assertThat(first).isNotEqualTo(Options.DEFAULTS);
    for (String alias : all) {
      assertThat(parse(alias + ":" + args)).as(alias).isEqualTo(first);
    }
  }

  @Test
  void theTableCoversEveryOptionName() {
    Set<String> security =
        Set.of(
            "max_src_resolution",
            "msr",
            "max_src_file_size",
            "msfs",
            "max_animation_frames",
            "maf",
            "max_animation_frame_resolution",
            "mafr",
            "max_result_dimension",
            "mrd");
    // 94 before issue 16's third round: +10 names for the savers and autoquality, +11 for the
    // watermark's Pro options, +16 for the colour options and preserve_hdr, +2 for
    // fallback_image_url.
    assertThat(OptionsParser.optionNames()).hasSize(133).containsAll(security);
    assertThat(OptionsParser.optionNames().stream().filter(n -> !security.contains(n)).count())
        .isEqualTo(123);
  }

  @Test
  void resizeSetsTypeSizeEnlargeAndExtend() {
    Options o = parse("rs:fill:300:200:1:1:so:10:20");
    assertThat(o.resizingType()).isEqualTo(ResizingType.FILL);
    assertThat(o.width()).isEqualTo(300);
    assertThat(o.height()).isEqualTo(200);
    assertThat(o.enlarge()).isTrue();
    assertThat(o.extend()).isEqualTo(new Extend(true, new Gravity(GravityType.SOUTH, 10, 20)));
  }

  @Test
  void emptyArgumentsKeepTheCurrentValue() {
    Options o = parse("rs:fill:100:50/rs::::1");
    assertThat(o.resizingType()).isEqualTo(ResizingType.FILL);
    assertThat(o.width()).isEqualTo(100);
    assertThat(o.height()).isEqualTo(50);
    assertThat(o.enlarge()).isTrue();
    assertThat(parse("s:100:50/s::70").width()).isEqualTo(100);
    assertThat(parse("s:100:50/s::70").height()).isEqualTo(70);
    assertThat(parse("wm:0.5:soea:1:2:0.3/wm:0.7").watermark())
        .isEqualTo(new Watermark(true, 0.7, new Gravity(GravityType.SOUTH_EAST, 1, 2), 0.3));
  }

  @Test
  void zoomWithOneOrTwoFactors() {
    assertThat(parse("z:1.5").zoomX()).isEqualTo(1.5);
    assertThat(parse("z:1.5").zoomY()).isEqualTo(1.5);
    assertThat(parse("z:2:0.5").zoomY()).isEqualTo(0.5);
  }

  @Test
  void gravityForms() {
    assertThat(parse("g:sm").gravity()).isEqualTo(Gravity.SMART);
    assertThat(parse("g:fp:0.3:0.7").gravity()).isEqualTo(Gravity.focusPoint(0.3, 0.7));
    assertThat(parse("g:no:10:0.5").gravity()).isEqualTo(new Gravity(GravityType.NORTH, 10, 0.5));
    assertThat(parse("g:soea:-4").gravity()).isEqualTo(new Gravity(GravityType.SOUTH_EAST, -4, 0));
    // imgproxy keeps offsets that are not given again, and smart clears them
    assertThat(parse("g:no:10:20/g:so").gravity())
        .isEqualTo(new Gravity(GravityType.SOUTH, 10, 20));
    assertThat(parse("g:no:10:20/g:sm/g:so").gravity()).isEqualTo(Gravity.of(GravityType.SOUTH));
  }

  @Test
  void cropWithOwnOrInheritedGravity() {
    Options o = parse("c:0.5:0.25");
    assertThat(o.cropWidth()).isEqualTo(0.5);
    assertThat(o.cropHeight()).isEqualTo(0.25);
    assertThat(o.cropGravity()).isEmpty();
    assertThat(parse("c:100:200/g:ea").effectiveCropGravity())
        .isEqualTo(Gravity.of(GravityType.EAST));
    Options own = parse("g:ea/c:100:200:nowe:10:10");
    assertThat(own.cropGravity()).contains(new Gravity(GravityType.NORTH_WEST, 10, 10));
    assertThat(own.gravity()).isEqualTo(Gravity.of(GravityType.EAST));
    assertThat(parse("c:100:200:sm").cropGravity()).contains(Gravity.SMART);
    assertThat(parse("c:100:200/c:50").cropHeight()).isEqualTo(200); // height kept
  }

  @Test
  void trim() {
    Trim t = parse("t:10:ff00ff:1:1").crop().trim();
    assertThat(t).isEqualTo(new Trim(true, 10, false, new Rgb(255, 0, 255), true, true));
    assertThat(parse("t:5").crop().trim())
        .isEqualTo(new Trim(true, 5, true, Rgb.BLACK, false, false));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "pd:10 | 10,10,10,10",
        "pd:10:20 | 10,20,10,20",
        "pd:10:20:30 | 10,20,30,20",
        "pd:1:2:3:4 | 1,2,3,4",
        "pd:10/pd::5 | 10,5,10,5",
        "pd:10/pd:::0 | 10,10,0,10",
      })
  void paddingIsCssShorthand(String options, String trbl) {
    Padding p = parse(options).padding();
    assertThat(p.top() + "," + p.right() + "," + p.bottom() + "," + p.left()).isEqualTo(trbl);
  }

  @ParameterizedTest
  @CsvSource({"0,0", "90,90", "180,180", "270,270", "360,0", "450,90", "-90,270"})
  void rotateTakesMultiplesOf90(int given, int stored) {
    assertThat(parse("rot:" + given).rotate()).isEqualTo(stored);
  }

  @Test
  void flip() {
    assertThat(parse("fl:1").flipHorizontal()).isTrue();
    assertThat(parse("fl:1").flipVertical()).isFalse();
    assertThat(parse("fl::1").flipVertical()).isTrue();
    assertThat(parse("fl:1/fl::t").flipHorizontal()).isTrue();
  }

  @Test
  void backgroundForms() {
    Rgb red = new Rgb(255, 0, 0);
    for (String s : new String[] {"bg:ff0000", "bg:FF0000", "bg:f00", "bg:255:0:0"}) {
      Options o = parse(s);
      assertThat(o.effects().background()).as(s).isEqualTo(red);
      assertThat(o.effects().flatten()).as(s).isTrue();
    }
    Options off = parse("bg:f00/bg:");
    assertThat(off.effects().flatten()).isFalse();
    assertThat(off.effects().background())
        .isEqualTo(red); // as imgproxy: colour kept for alpha-less output
  }

  @Test
  void watermark() {
    assertThat(parse("wm:0.5:soea:10:10:0.2").watermark())
        .isEqualTo(new Watermark(true, 0.5, new Gravity(GravityType.SOUTH_EAST, 10, 10), 0.2));
    assertThat(parse("wm:1:re").watermark().position().type()).isEqualTo(GravityType.REPLICATE);
    assertThat(parse("wm:0.5/wm:0").watermark().enabled()).isFalse();
  }

  @Test
  void proWatermarkOptions() {
    // imgproxy Pro: wmu and wmt are URL-safe base64, padded or not; the last of them wins.
    Watermark w = parse("wmu:aHR0cHM6Ly9leGFtcGxlLmNvbS9tYXJrLnBuZw==/wm:0.5:soea").watermark();
    assertThat(w.url()).isEqualTo("https://example.com/mark.png");
    assertThat(w.enabled()).isTrue();
    assertThat(parse("wmu:aHR0cHM6Ly9leGFtcGxlLmNvbS9tYXJrLnBuZw/wmt:PGI-aW1nZDwvYj4").watermark())
        .satisfies(m -> {
          assertThat(m.text()).isEqualTo("<b>imgd</b>");
          assertThat(m.url()).isEmpty();
        });
    assertThat(parse("wms:120/wms::40").watermark())
        .satisfies(m -> assertThat(m.width() + "x" + m.height()).isEqualTo("120x40"));
    assertThat(parse("wmr:-90").watermark().rotate()).isEqualTo(270);
    assertThat(parse("wmr:450").watermark().rotate()).isEqualTo(90);
    assertThat(parse("wmsh:2.5").watermark().shadow()).isEqualTo(2.5);
    // The look is kept when wm: places the watermark after it.
    assertThat(parse("wmr:30/wmsh:2/wm:1").watermark())
        .satisfies(m -> assertThat(m.rotate() + "/" + m.shadow()).isEqualTo("30.0/2.0"));
  }

  @Test
  void formatQualityAndQualityFor() {
    Options o = parse("fq:jpeg:80:webp:70");
    assertThat(o.output().formatQuality())
        .containsExactly(Map.entry(ImageFormat.JPEG, 80), Map.entry(ImageFormat.WEBP, 70));
    assertThat(o.qualityFor(ImageFormat.WEBP)).isEqualTo(70);
    assertThat(o.qualityFor(ImageFormat.PNG)).isZero();
    assertThat(parse("fq:webp:70/q:90").qualityFor(ImageFormat.WEBP)).isEqualTo(90);
  }

  @Test
  void format() {
    assertThat(parse("f:png").format()).contains(ImageFormat.PNG);
    assertThat(parse("ext:jpeg").format()).contains(ImageFormat.JPEG);
    assertThat(parse("f:tiff").format()).contains(ImageFormat.TIFF);
    assertThat(parse("f:svg").format()).contains(ImageFormat.SVG); // answered only from SVG
    assertThatThrownBy(() -> parse("f:pdf"))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_FORMAT))
        .hasMessageContaining("pdf");
    assertBad("f:xyz", "f", "xyz");
  }

  @Test
  void booleansAcceptGoForms() {
    for (String t : new String[] {"1", "t", "T", "true", "TRUE", "True"}) {
      assertThat(parse("el:" + t).enlarge()).as(t).isTrue();
    }
    for (String f : new String[] {"0", "f", "F", "false", "FALSE", "False"}) {
      assertThat(parse("el:1/el:" + f).enlarge()).as(f).isFalse();
    }
    assertBad("el:yes", "el", "yes", "boolean");
  }

  @Test
  void expires() {
    long future = NOW.getEpochSecond() + 60;
    assertThat(parse("exp:" + future).response().expires()).isEqualTo(future);
    assertThat(parse("exp:" + future).isExpired(NOW)).isFalse();
    assertThat(parse("exp:0").response().expires()).isZero();
    long past = NOW.getEpochSecond() - 1;
    assertThatThrownBy(() -> parse("exp:" + past))
        .isInstanceOfSatisfying(
            ExpiredUrlException.class,
            e -> {
              assertThat(e.expiredAt()).isEqualTo(past);
              assertThat(e.code()).isEqualTo(ErrorCode.BAD_OPTIONS);
            })
        .hasMessage("Expired URL");
    assertBad("exp:soon", "exp", "soon");
  }

  @Test
  void filename() {
    assertThat(parse("fn:my%20file.jpg").response().filename()).isEqualTo("my file.jpg");
    String encoded =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString("a/b:c.jpg".getBytes(StandardCharsets.UTF_8));
    assertThat(parse("fn:" + encoded + ":1").response().filename()).isEqualTo("a/b:c.jpg");
    assertBad("fn:%zz", "fn");
  }

  @Test
  void otherSimpleOptions() {
    Options o =
        parse("pg:2/pgs:3/da:1/skp:svg:gif/raw:1/cb:v2/att:1/eth:1/mb:5000/pix:8/bl:1.5/sh:0.7");
    assertThat(o.input().page()).isEqualTo(2);
    assertThat(o.input().pages()).isEqualTo(3);
    assertThat(o.input().disableAnimation()).isTrue();
    assertThat(o.input().skipProcessing())
        .containsExactlyInAnyOrder(ImageFormat.SVG, ImageFormat.GIF);
    assertThat(o.input().raw()).isTrue();
    assertThat(o.response().cachebuster()).isEqualTo("v2");
    assertThat(o.response().returnAttachment()).isTrue();
    assertThat(o.input().enforceThumbnail()).isTrue();
    assertThat(o.output().maxBytes()).isEqualTo(5000);
    assertThat(o.effects().pixelate()).isEqualTo(8);
    assertThat(o.effects().blur()).isEqualTo(1.5);
    assertThat(o.effects().sharpen()).isEqualTo(0.7);
  }

  /**
   * Issue 15 (low): a sigma outside libvips' range passed the parser and failed in libvips as a 500
   * naming IllegalArgumentException; it is refused where it is parsed. Controls: the ends of each
   * range.
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "rs:force:500:500/sh:100 | Invalid sh sigma: '100' (expected 0 or a number from 0.000001 to 10)",
        "sh:10.5 | Invalid sh sigma: '10.5'",
        "sh:0.0000001 | Invalid sh sigma: '0.0000001'",
        "bl:1000.5 | Invalid bl sigma: '1000.5' (expected a number from 0 to 1000)",
        "sh:10 | ",
        "sh:0.000001 | ",
        "sh:0 | ",
        "bl:1000 | ",
        "bl:0.0000001 | ",
      })
  void sigmaOutsideLibvipsRangeIsRefusedWhenParsed(String options, String message) {
    if (message == null) {
      assertThat(parse(options)).isNotNull();
      return;
    }
    assertBad(options, message);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "foo:1 | Unknown processing option: 'foo'",
        "w:1:2 | Invalid w arguments [1, 2]",
        "w:abc | Invalid w width: 'abc' (expected an integer)",
        "w:-1 | Invalid w width: '-1' (expected an integer >= 0)",
        "w: | Invalid w width: ''",
        "w:99999999999 | within range",
        "rs:fit:1:1:1:1:ce:0:0:9 | Invalid rs arguments",
        "rt:crop | Invalid rt resizing type: 'crop'",
        "g:sm:1 | Invalid g arguments [sm, 1]",
        "g:fp:0.5 | Invalid g arguments [fp, 0.5]",
        "g:fp:2:0.5 | Invalid g focus point: '2:0.5'",
        "g:re | Invalid g gravity: 're'",
        "g:no:1:2:3 | Invalid g arguments",
        "ex:1:sm | Invalid ex gravity: 'sm'",
        "q:101 | Invalid q quality: '101' (expected an integer 0..100)",
        "dpr:0 | Invalid dpr dpr: '0' (expected a number > 0)",
        "z:0 | Invalid z zoom: '0'",
        "z:1:2:3 | Invalid z arguments",
        "z:NaN | Invalid z zoom: 'NaN'",
        "z:1e999 | Invalid z zoom: '1e999'",
        "z:1d | Invalid z zoom: '1d'",
        "bl:-1 | Invalid bl sigma: '-1'",
        "pix:-1 | Invalid pix size: '-1'",
        "pgs:0 | Invalid pgs pages: '0'",
        "rot:45 | Invalid rot angle: '45' (expected a multiple of 90)",
        "bg:1:2 | Invalid bg arguments [1, 2]",
        "bg:256:0:0 | Invalid bg red: '256'",
        "bg:gg0000 | Invalid bg color: 'gg0000'",
        "bg:#ff0000 | Invalid bg color",
        "wm:1.5 | Invalid wm opacity: '1.5'",
        "wm:1:sm | Invalid wm position: 'sm'",
        "wm:1:ce:0:0:1:1 | Invalid wm arguments",
        "wmu:%%% | Invalid wmu url: '%%%' (expected URL-safe base64)",
        "wmt:_w | Invalid wmt text: '_w' (expected URL-safe base64)",
        "wms:-1 | Invalid wms width: '-1'",
        "wms:1:16385 | Invalid wms height: '16385' (expected an integer 0..16384)",
        "wmr:x | Invalid wmr angle: 'x'",
        "wmsh:101 | Invalid wmsh sigma: '101' (expected a number from 0 to 100)",
        "fq:jpg | missing quality for jpg",
        "fq:tga:80 | Invalid fq image format: 'tga'",
        "fq:jpg:101 | Invalid fq quality for jpg: '101'",
        "t:-1 | Invalid t threshold: '-1'",
        "c:-1 | Invalid c width: '-1'",
        "c: | Invalid c width: ''",
        "pd:1:2:3:4:5 | Invalid pd arguments",
        "msr:10 | Security processing options are not allowed",
        "mrd:10 | Security processing options are not allowed",
        "pr:nope | Unknown preset: 'nope'",
        "rs:fit | ",
      })
  void badInputNamesTheOptionAndTheProblem(String options, String message) {
    if (message == null) { // a control row: valid
      assertThat(parse(options)).isNotNull();
      return;
    }
    assertBad(options, message);
  }

  @ParameterizedTest
  @ValueSource(strings = {"w:1//h:2", "w:1/plain", "/w:1"})
  void malformedSegmentsAreRefused(String options) {
    assertBad(options, "Invalid option segment");
  }

  // --- presets ----------------------------------------------------------------------------

  @Test
  void defaultPresetAppliesFirstAndUrlOptionsOverrideIt() {
    OptionsParser p = parser(Map.of("default", "q:70/rt:fill/f:webp"), false);
    assertThat(p.parse("").output().quality()).isEqualTo(70);
    Options o = p.parse("q:90");
    assertThat(o.output().quality()).isEqualTo(90);
    assertThat(o.resizingType()).isEqualTo(ResizingType.FILL);
    assertThat(o.format()).contains(ImageFormat.WEBP);
  }

  @Test
  void presetsApplyInOrderAndNest() {
    OptionsParser p =
        parser(
            Map.of(
                "small", "rs:fit:100:100",
                "sharp", "sh:0.5/q:60",
                "thumb", "pr:small:sharp/q:75",
                "big", "w:1000"),
            false);
    Options o = p.parse("pr:thumb");
    assertThat(o.width()).isEqualTo(100);
    assertThat(o.effects().sharpen()).isEqualTo(0.5);
    assertThat(o.output().quality()).isEqualTo(75);
    assertThat(p.parse("pr:small:big").width()).isEqualTo(1000);
    assertThat(p.parse("pr:big:small").width()).isEqualTo(100);
    assertThat(p.parse("preset:small/w:50").width()).isEqualTo(50);
    assertThat(p.parse("pr:small/pr:small")).isEqualTo(p.parse("pr:small")); // reuse is no loop
  }

  @Test
  void presetLoopsApplyEachPresetOnce() {
    // Issue 16: a loop used to be refused, which stopped the server from starting; imgproxy
    // (TestParsePathPresetLoopDetection) applies each preset of the loop once and goes on.
    OptionsParser p =
        parser(Map.of("test1", "rt:fill/pr:test2", "test2", "bl:0.2/pr:test1/q:40"), false);
    Options o = p.parse("pr:test1");
    assertThat(o.resizingType()).isEqualTo(ResizingType.FILL);
    assertThat(o.effects().blur()).isEqualTo(0.2);
    assertThat(o.output().quality()).isEqualTo(40);
    assertThat(parser(Map.of("self", "pr:self/q:5"), false).parse("pr:self").output().quality())
        .isEqualTo(5);
  }

  @Test
  void brokenPresetsFailAtConstruction() {
    assertThatThrownBy(() -> parser(Map.of("x", "foo:1"), false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid preset x")
        .hasMessageContaining("Unknown processing option");
    assertThatThrownBy(() -> parser(Map.of("x", "pr:missing"), false))
        .hasMessageContaining("Unknown preset: 'missing'");
    assertThatThrownBy(() -> parser(Map.of("x", "rs"), false))
        .hasMessageContaining("is not name:arguments");
    assertThatThrownBy(() -> parser(Map.of("a:b", "q:1"), false))
        .hasMessageContaining("Invalid preset name");
    // imgproxy's TestParsePresetEmptyValue: a preset with no options is refused.
    assertThatThrownBy(() -> parser(Map.of("test", ""), false))
        .hasMessageContaining("Invalid preset test: no options");
  }

  @Test
  void presetsOnlyMode() {
    OptionsParser p = parser(Map.of("thumb", "rs:fill:100:100", "blurry", "bl:5"), true);
    assertThat(p.onlyPresets()).isTrue();
    assertThat(p.parse("pr:thumb:blurry").effects().blur()).isEqualTo(5);
    assertThatThrownBy(() -> p.parse("w:100"))
        .isInstanceOf(ImgdException.class)
        .hasMessageContaining("Only presets are allowed");
    ParsedPath path = p.parsePath("/thumb:blurry/plain/http://example.com/a.jpg@png");
    assertThat(path.options().width()).isEqualTo(100);
    assertThat(path.options().effects().blur()).isEqualTo(5);
    assertThat(path.source()).isEqualTo("http://example.com/a.jpg");
    assertThat(path.extension()).contains(ImageFormat.PNG);
    assertThatThrownBy(() -> p.parsePath("/w:100/plain/http://example.com/a.jpg"))
        .hasMessageContaining("Unknown preset: 'w'");
  }

  // --- paths ------------------------------------------------------------------------------

  @Test
  void plainSource() {
    ParsedPath p =
        PLAIN.parsePath(
            "/rs:fill:300:200/q:80/plain/http://example.com/images/a%3Fb%40c+d.jpg@webp");
    assertThat(p.options().width()).isEqualTo(300);
    assertThat(p.options().output().quality()).isEqualTo(80);
    assertThat(p.source()).isEqualTo("http://example.com/images/a?b@c+d.jpg");
    assertThat(p.extension()).contains(ImageFormat.WEBP);
    assertThat(p.options().format()).contains(ImageFormat.WEBP);
    ParsedPath noExt = PLAIN.parsePath("plain/s3://bucket/key.png");
    assertThat(noExt.source()).isEqualTo("s3://bucket/key.png");
    assertThat(noExt.extension()).isEmpty();
    assertThat(noExt.options()).isEqualTo(Options.DEFAULTS);
  }

  @Test
  void base64SourceMaySplitAndCarryAnExtension() {
    String url = "http://example.com/images/curiosity.jpg";
    String b64 =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(url.getBytes(StandardCharsets.UTF_8));
    String split = b64.substring(0, 10) + "/" + b64.substring(10, 20) + "/" + b64.substring(20);
    ParsedPath p = PLAIN.parsePath("/w:100/" + split + ".png");
    assertThat(p.source()).isEqualTo(url);
    assertThat(p.extension()).contains(ImageFormat.PNG);
    assertThat(PLAIN.parsePath("/" + b64).extension()).isEmpty();
    String padded =
        Base64.getUrlEncoder().encodeToString("x://ab".getBytes(StandardCharsets.UTF_8));
    assertThat(PLAIN.parsePath("/" + padded).source()).isEqualTo("x://ab");
  }

  @Test
  void extensionOverridesFormatOptionUnlessRaw() {
    assertThat(PLAIN.parsePath("/f:png/plain/http://x/a.jpg@webp").options().format())
        .contains(ImageFormat.WEBP);
    ParsedPath raw = PLAIN.parsePath("/raw:1/plain/http://x/a.jpg@webp");
    assertThat(raw.options().format()).isEmpty();
    assertThat(raw.extension()).contains(ImageFormat.WEBP);
    assertThatThrownBy(() -> PLAIN.parsePath("/plain/http://x/a.jpg@pdf"))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_FORMAT));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "'' | Invalid path",
        "/ | Invalid path",
        "/w:100 | Image URL is empty",
        "/w:100/plain/ | Image URL is empty",
        "/plain/http://x/a.jpg@png@webp | Multiple formats",
        "/aGVsbG8.png.webp | Multiple formats",
        "/plain/http://x/a%zz.jpg | Invalid url encoding",
        "/!!notbase64 | Invalid url encoding",
        "/fill/300/200/sm/0/aGVsbG8 | basic URL format",
        "/enc/abc/def | Encrypted source URLs are not supported",
        "/w:100/plain/http://x/a.jpg@tga | Invalid extension image format: 'tga'",
      })
  void badPaths(String path, String message) {
    assertThatThrownBy(() -> PLAIN.parsePath(path))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_OPTIONS))
        .hasMessageContaining(message);
  }

  // --- canonical form ---------------------------------------------------------------------

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "rs:fit:300:200 | rt:fit/w:300/h:200",
        "resize:fill:100:100 | s:100:100/rt:fill",
        "bg:f00 | bg:255:0:0",
        "bg:ff0000 | background:FF0000",
        "z:2 | z:2:2",
        "wm:0 | ''",
        "wm:0:soea:5:5:1 | wm:0.5/wm:0",
        "ex:0:so | ex:0",
        "el:1 | el:true",
        "q:80/w:10 | w:10/q:80",
        "g:fp:0.5:0.50 | g:fp:.5:0.5",
        "c:100:100 | c:100:100:ce:0:0",
        "c:0:0:so | ''",
        "pd:10 | pd:10:10:10:10",
        "rot:-90 | rot:270",
        "fq:webp:70:jpg:80 | fq:jpeg:80/fq:webp:70",
        "exp:2000000000/fn:x/att:1 | ''",
        "g:no:10:20/g:so | g:so:10:20",
      })
  void equivalentStringsHaveTheSameCanonicalForm(String a, String b) {
    assertThat(parse(a).canonical()).isEqualTo(parse(b).canonical());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "rs:fit:300:200|rs:fit:300:201",
        "rs:fit:300:200|rs:fill:300:200",
        "g:ce|g:sm",
        "cb:1|cb:2",
        "bg:fff|''",
        "bg:f00/bg:|''",
        "z:2|z:2:1",
        "c:100:100:no|c:100:100:so",
        "t:10|''",
      })
  void differentMeaningsHaveDifferentCanonicalForms(String pair) {
    String[] ab = pair.split("\\|");
    assertThat(parse(unquote(ab[0])).canonical()).isNotEqualTo(parse(unquote(ab[1])).canonical());
  }

  private static String unquote(String s) {
    return s.equals("''") ? "" : s;
  }

  @Test
  void canonicalFormIsFixedAndReadable() {
    assertThat(parse("rs:fill:300:200/q:80/bg:ff0000/wm:0.5:soea:10:10:0.2/f:webp").canonical())
        .isEqualTo(
            "rt:fill/w:300/h:200/mw:0/mh:0/z:1:1/dpr:1/el:0/ex:0/exar:0/g:ce:0:0/c:0:0"
                + "/pd:0:0:0:0/ar:1/rot:0/fl:0:0/bg:ff0000/bl:0/sh:0/pix:0"
                + "/wm:0.5:soea:10:10:0.2/sm:1/kcr:1/scp:1/eth:0/q:80/mb:0/f:webp/pg:0/pgs:1"
                + "/da:0/raw:0");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "rs:fill-down:300:200:1:1:so:1:2/g:sm/q:80/bg:ff0000/wm:0.5:soea:10:10:0.2/f:webp",
        "exar:1:fp:0.25:0.75/c:0.3:0.4:nowe:0.1:5/t:5:abc:1/pd:1:2:3:4/rot:90/fl:0:1",
        "bg:123/bg:/fq:avif:50:png:9/skp:svg/cb:x/z:0.333:3/dpr:1.25/mw:10/mh:20/ar:0",
        "t:0.5/wm:1:re:-3:4/pgs:4/pg:1/da:1/raw:1/mb:100/eth:1/sm:0/kcr:0/scp:0/pix:3",
      })
  void canonicalFormParsesBackToTheSameCanonicalForm(String options) {
    Options o = parse(options);
    String canonical = o.canonical();
    Options back = parse(canonical);
    assertThat(back.canonical()).isEqualTo(canonical);
    assertThat(back).isEqualTo(o.toBuilder().build()); // nothing header-only in these strings
  }

  @Test
  void defaultCanonicalFormIsStable() {
    // A cache key: changing this string invalidates every cached result.
    assertThat(Options.DEFAULTS.canonical())
        .isEqualTo(
            "rt:fit/w:0/h:0/mw:0/mh:0/z:1:1/dpr:1/el:0/ex:0/exar:0/g:ce:0:0/c:0:0/pd:0:0:0:0"
                + "/ar:1/rot:0/fl:0:0/bl:0/sh:0/pix:0/sm:1/kcr:1/scp:1/eth:0/q:0/mb:0/pg:0/pgs:1"
                + "/da:0/raw:0");
  }

  @Test
  void numbersPrintShortAndPlain() {
    assertThat(
            Set.of(1.0, 0.5, 1e-7, 123456789.0, 2.5e20, -0.0, 0.1 + 0.2).stream()
                .map(Options::num)
                .collect(Collectors.toSet()))
        .containsExactlyInAnyOrder(
            "1",
            "0.5",
            "0.0000001",
            "123456789",
            "250000000000000000000",
            "0",
            "0.30000000000000004");
    assertThat(Optional.of(parse("z:0.30000000000000004").zoomX())).contains(0.1 + 0.2);
  }

  /** imgproxy Pro's chained pipelines: a {@code -} segment starts the next pass. */
  @Test
  void chainedPipelinesParseIntoPasses() {
    Options o = new OptionsParser(Map.of()).parse("w:500/c:1000/-/trim:10/q:70");
    assertThat(o.passes()).hasSize(2);
    assertThat(o.passes().getFirst().width()).isEqualTo(500);
    assertThat(o.passes().getFirst().crop().trim().enabled()).isFalse();
    assertThat(o.crop().trim().enabled()).isTrue();
    assertThat(o.canonical()).contains("/-/");
    assertThat(new OptionsParser(Map.of()).parse(o.canonical()).canonical())
        .isEqualTo(o.canonical());
    Options emptyFirst = new OptionsParser(Map.of()).parse("-/w:50");
    assertThat(emptyFirst.passes().getFirst().width()).isZero();
    assertThat(emptyFirst.width()).isEqualTo(50);
  }

  /** imgproxy's documented example: a preset's passes merge with the URL's. */
  @Test
  void presetPassesMergeWithTheUrls() {
    OptionsParser parser =
        new OptionsParser(
            Map.of("test", "width:300/height:300/-/width:200/height:200/-/width:100/height:200"));
    Options o = parser.parse("width:400/-/preset:test/width:500/-/width:600");
    assertThat(o.canonical())
        .isEqualTo(
            parser
                .parse(
                    "width:400/-/width:500/height:300/-/width:600/height:200/-/width:100/height:200")
                .canonical());
  }

  @Test
  void passesAreBounded() {
    String most =
        String.join("/-/", java.util.Collections.nCopies(OptionsParser.MAX_PASSES, "w:5"));
    assertThat(new OptionsParser(Map.of()).parse(most).passes()).hasSize(OptionsParser.MAX_PASSES);
    assertThatThrownBy(() -> new OptionsParser(Map.of()).parse(most + "/-/w:4"))
        .isInstanceOf(ImgdException.class)
        .hasMessageContaining("at most " + OptionsParser.MAX_PASSES + " passes");
  }

  /** imgproxy's IMGPROXY_ARGUMENTS_SEPARATOR: in URL options, presets and presets-only paths. */
  @Test
  void argumentsSeparator() {
    OptionsParser comma =
        OptionsParser.builder().separator(",").presets(Map.of("small", "w,10/q,50")).build();
    assertThat(comma.parse("size,100,100,1/pr,small").canonical())
        .isEqualTo(PLAIN.parse("size:100:100:1/w:10/q:50").canonical());
    assertThatThrownBy(() -> comma.parse("w:100"))
        .isInstanceOf(ImgdException.class)
        .hasMessageContaining("expected name:arguments");
    // A regular-expression character is a plain separator.
    assertThat(OptionsParser.builder().separator(".").build().parse("rs.fit.10.20").canonical())
        .isEqualTo(PLAIN.parse("rs:fit:10:20").canonical());
    OptionsParser only =
        OptionsParser.builder()
            .separator(",")
            .onlyPresets(true)
            .presets(Map.of("a", "w,10", "b", "h,20"))
            .build();
    assertThat(only.parsePath("/a,b/plain/http://x/a.jpg").options().canonical())
        .isEqualTo(PLAIN.parse("w:10/h:20").canonical());
    for (String bad : new String[] {"", "/", "a/b"}) {
      assertThatThrownBy(() -> OptionsParser.builder().separator(bad))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  /** imgproxy's TestParseBase64URLWithFilename, and a source in one segment keeps it. */
  @Test
  void base64UrlIncludesFilename() {
    String url = "http://images.dev/lorem/ipsum.jpg?param=value";
    String b64 = Base64.getUrlEncoder().withoutPadding().encodeToString(url.getBytes());
    OptionsParser p = OptionsParser.builder().base64UrlIncludesFilename(true).build();
    ParsedPath path = p.parsePath("/size:100:100/" + b64 + ".png/puppy.jpg");
    assertThat(path.source()).isEqualTo(url);
    assertThat(path.options().format()).hasValue(ImageFormat.PNG);
    assertThat(p.parsePath("/w:1/" + b64.substring(0, 4) + "/" + b64.substring(4) + "/x").source())
        .isEqualTo(url);
    assertThat(p.parsePath("/w:1/" + b64).source()).isEqualTo(url);
    assertThat(p.parsePath("/w:1/plain/" + url + "/puppy.jpg").source())
        .isEqualTo(url + "/puppy.jpg");
    // Off (the default), the file name is part of the base64: it does not decode.
    assertThatThrownBy(() -> PLAIN.parsePath("/size:100:100/" + b64 + ".png/puppy.jpg"))
        .isInstanceOf(ImgdException.class);
  }

  /** imgproxy's TestParseAllowedOptions: names as written; presets may use any option. */
  @ParameterizedTest
  @CsvSource({
    "w:100/h:200,",
    "w:100/h:200/blur:10,Forbidden processing option blur",
    "w:100/h:200/pr:test1,",
    "w:100/h:200/pr:test1/blur:10,Forbidden processing option blur",
    "width:100,Forbidden processing option width",
  })
  void allowedProcessingOptions(String options, String error) {
    OptionsParser p =
        OptionsParser.builder()
            .allowedOptions(java.util.List.of("w", "h", "pr"))
            .presets(Map.of("test1", "blur:0.2"))
            .build();
    String path = "/" + options + "/plain/http://images.dev/lorem/ipsum.jpg@png";
    if (error == null) {
      assertThat(p.parsePath(path).options().format()).hasValue(ImageFormat.PNG);
    } else {
      assertThatThrownBy(() -> p.parsePath(path))
          .isInstanceOf(ImgdException.class)
          .hasMessageContaining(error);
    }
    assertThatThrownBy(() -> OptionsParser.builder().allowedOptions(java.util.List.of("nope")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * The options of the whole request apply from whichever pass they are in, the last written
   * winning, as imgproxy's parser applies them to its main options; the others stay in their pass.
   */
  @Test
  void optionsOfTheWholeRequestApplyFromAnyPass() {
    Options o = PLAIN.parse("f:webp/q:50/w:10/-/w:20/q:70");
    for (Options pass : o.passes()) {
      assertThat(pass.format()).hasValue(ImageFormat.WEBP);
      assertThat(pass.output().quality()).isEqualTo(70);
    }
    assertThat(o.passes().getFirst().resize().width()).isEqualTo(10);
    assertThat(o.resize().width()).isEqualTo(20);
    assertThat(PLAIN.parse("q:70/-/q:50").output().quality()).isEqualTo(50);
    assertThat(PLAIN.parse("q:50/-/-/q:70/-/w:5").output().quality()).isEqualTo(70);
    // A preset's options of the whole request, in an earlier pass, apply too.
    OptionsParser presets = new OptionsParser(Map.of("webp", "f:webp/-/w:10"));
    assertThat(presets.parse("pr:webp/f:png").format()).hasValue(ImageFormat.PNG);
    assertThat(presets.parse("f:png/pr:webp").format()).hasValue(ImageFormat.WEBP);
    // The extension is the format over them all; raw from an earlier pass keeps the source's.
    assertThat(PLAIN.parsePath("/f:webp/-/w:5/plain/http://x/a.jpg@png").options().format())
        .hasValue(ImageFormat.PNG);
    assertThat(PLAIN.parsePath("/raw:1/-/w:5/plain/http://x/a.jpg@png").options().format())
        .isEmpty();
    // Every name of the set is an option's full name.
    assertThat(OptionTable.WHOLE_REQUEST)
        .allSatisfy(n ->
            assertThat(OptionTable.find(n)).isNotNull().extracting(o2 -> o2.name()).isEqualTo(n));
  }

  /**
   * imgproxy's TestParsePathClientHints and TestParsePathClientHintsRedefine: the hinted width over
   * the hinted dpr is the default width, the hinted dpr the default dpr; the default preset and the
   * URL's own win.
   */
  @ParameterizedTest(name = "{0} with dpr {1}, width {2}")
  @CsvSource({
    "'',0,0,0,1",
    "'',0,100,100,1",
    "'',2,0,0,2",
    "'',2,100,50,2",
    "width:150/dpr:3.0,2,100,150,3",
    "dpr:3,2,120,60,3",
    "pr:small,2,100,10,2",
  })
  void clientHintsAreTheDefaultsOfWidthAndDpr(
      String options, double dpr, int width, int expectedWidth, double expectedDpr) {
    OptionsParser withPreset = parser(Map.of("small", "w:10"), false);
    String path = (options.isEmpty() ? "" : "/" + options) + "/plain/http://images.dev/a.jpg@png";
    Options o = withPreset.parsePath(path, new OptionsParser.Hints(dpr, width)).options();
    assertThat(o.width()).isEqualTo(expectedWidth);
    assertThat(o.dpr()).isEqualTo(expectedDpr);
  }

  @Test
  void hintsOutOfRangeAreRefusedByTheRecord() {
    assertThatThrownBy(() -> new OptionsParser.Hints(8.5, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new OptionsParser.Hints(1, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * IMGPROXY_AUTOQUALITY_FORMAT_MIN/_MAX: a format's own range; an aq naming a range of its own
   * searches it for every format, and the per-format ranges are in the cache key.
   */
  @Test
  void autoqualityRangesPerFormat() {
    Encoding.Autoquality settings =
        new Encoding.Autoquality(
            Encoding.Method.SIZE,
            1000,
            70,
            80,
            0.002,
            Map.of(ImageFormat.AVIF, 60),
            Map.of(ImageFormat.AVIF, 65),
            0);
    OptionsParser p =
        OptionsParser.builder().defaults(Options.builder().autoquality(settings).build()).build();
    Encoding.Autoquality aq = p.parse("").encoding().autoquality();
    assertThat(aq.minQuality(ImageFormat.AVIF)).isEqualTo(60);
    assertThat(aq.maxQuality(ImageFormat.AVIF)).isEqualTo(65);
    assertThat(aq.minQuality(ImageFormat.JPEG)).isEqualTo(70);
    assertThat(p.parse("aq:dssim").encoding().autoquality().maxQuality(ImageFormat.AVIF))
        .isEqualTo(65);
    Encoding.Autoquality own = p.parse("aq:size:1000::90").encoding().autoquality();
    assertThat(own.minQuality(ImageFormat.AVIF)).isEqualTo(70);
    assertThat(own.maxQuality(ImageFormat.AVIF)).isEqualTo(90);
    assertThat(p.parse("").canonical()).isNotEqualTo(p.parse("aq:size:1000:70:80").canonical());
    assertThat(aq.searches(Long.MAX_VALUE)).isTrue();
    assertThat(
            new Encoding.Autoquality(Encoding.Method.SIZE, 1000, 70, 80, 0, Map.of(), Map.of(), 100)
                .searches(101))
        .isFalse();
    assertThatThrownBy(() -> settings.withRange(90, 80))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() ->
            new Encoding.Autoquality(
                Encoding.Method.SIZE, 1000, 70, 80, 0, Map.of(ImageFormat.AVIF, 90), Map.of(), 0))
        .hasMessageContaining("avif");
  }
}
