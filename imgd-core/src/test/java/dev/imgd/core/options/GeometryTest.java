package dev.imgd.core.options;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Geometry cases worked out by hand from imgproxy's rules (processing/prepare.go calcScale,
 * calcSizes, limitScale; crop.go; extend.go; padding.go; calc_position.go). Each row names the rule
 * it checks. Rounding: sizes use Go's math.Round (half away from zero), centring and relative
 * offsets use round-half-even ("ShrinkToEven((outer - inner + 1) / 2)").
 *
 * <p>Plans are written as "pre x,y,w,h | WxH | post x,y,w,h | ext WxH+x+y | out WxH", where
 * "pre"/"post" are the crops and WxH the resized size.
 */
class GeometryTest {
  static final OptionsParser PARSER = new OptionsParser(Map.of());

  static String describe(ResizePlan p) {
    return "pre "
        + crop(p.preCrop())
        + " | "
        + p.resizedWidth()
        + "x"
        + p.resizedHeight()
        + " | post "
        + crop(p.postCrop())
        + " | ext "
        + embed(p.extend())
        + " | out "
        + p.width()
        + "x"
        + p.height();
  }

  static String crop(CropRect c) {
    return (c.smart() ? "sm " : "") + c.x() + "," + c.y() + "," + c.width() + "," + c.height();
  }

  static String embed(Embed e) {
    return e.width() + "x" + e.height() + "+" + e.x() + "+" + e.y();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = ';',
      value = {
        // --- resizing types (calcScale) --------------------------------------------------------
        "fit: shrink = max(1000/300, 500/200) = 3.33; rs:fit:300:200; 1000; 500;"
            + " pre 0,0,1000,500 | 300x150 | post 0,0,300,150 | ext 300x150+0+0 | out 300x150",
        "fill: shrink = min(3.33, 2.5) = 2.5, crop 400x200 to 300x200 centred (rint(101/2)=50);"
            + " rs:fill:300:200; 1000; 500;"
            + " pre 0,0,1000,500 | 400x200 | post 50,0,300,200 | ext 300x200+0+0 | out 300x200",
        "fill, enlarge off: a smaller source is not enlarged and not cropped;"
            + " rs:fill:300:200; 200; 100;"
            + " pre 0,0,200,100 | 200x100 | post 0,0,200,100 | ext 200x100+0+0 | out 200x100",
        "fill, enlarge on: scale 2 then crop 400x200 to 300x200; rs:fill:300:200:1; 200; 100;"
            + " pre 0,0,200,100 | 400x200 | post 50,0,300,200 | ext 300x200+0+0 | out 300x200",
        "fill-down: too small, so crop to the box's 3:2 (150x100, left rint(25.5)=26);"
            + " rs:fill-down:300:200; 200; 100;"
            + " pre 0,0,200,100 | 200x100 | post 26,0,150,100 | ext 150x100+0+0 | out 150x100",
        "fill-down: large enough behaves as fill; rs:fill-down:300:200; 1000; 500;"
            + " pre 0,0,1000,500 | 400x200 | post 50,0,300,200 | ext 300x200+0+0 | out 300x200",
        "force: separate x and y scales; rs:force:300:200; 1000; 500;"
            + " pre 0,0,1000,500 | 300x200 | post 0,0,300,200 | ext 300x200+0+0 | out 300x200",
        "force with height 0 keeps the source height; rs:force:300:0; 1000; 500;"
            + " pre 0,0,1000,500 | 300x500 | post 0,0,300,500 | ext 300x500+0+0 | out 300x500",
        "force without enlarge divides both shrinks by the smaller (0.5), keeping the 8:1 ratio;"
            + " rs:force:2000:250; 1000; 500;"
            + " pre 0,0,1000,500 | 1000x125 | post 0,0,1000,125 | ext 1000x125+0+0 | out 1000x125",
        "auto, same orientation -> fill; rs:auto:300:200; 1000; 500;"
            + " pre 0,0,1000,500 | 400x200 | post 50,0,300,200 | ext 300x200+0+0 | out 300x200",
        "auto, other orientation -> fit: max(1000/200, 500/300) = 5; rs:auto:200:300; 1000; 500;"
            + " pre 0,0,1000,500 | 200x100 | post 0,0,200,100 | ext 200x100+0+0 | out 200x100",
        "width 0 derives from height: shrink 500/100 = 5; rs:fit:0:100; 1000; 500;"
            + " pre 0,0,1000,500 | 200x100 | post 0,0,200,100 | ext 200x100+0+0 | out 200x100",
        "height 0 derives from width, also for fill; rs:fill:300:0; 1000; 500;"
            + " pre 0,0,1000,500 | 300x150 | post 0,0,300,150 | ext 300x150+0+0 | out 300x150",
        "no size: unchanged; ''; 640; 480;"
            + " pre 0,0,640,480 | 640x480 | post 0,0,640,480 | ext 640x480+0+0 | out 640x480",
        "fit, enlarge on: scale up to the box; rs:fit:300:300:1; 100; 50;"
            + " pre 0,0,100,50 | 300x150 | post 0,0,300,150 | ext 300x150+0+0 | out 300x150",
        // --- dpr (dprScale) ---------------------------------------------------------------
        "dpr 2 doubles the box: 600x400 target, shrink 3.33/2; rs:fit:300:200/dpr:2; 1000; 500;"
            + " pre 0,0,1000,500 | 600x300 | post 0,0,600,300 | ext 600x300+0+0 | out 600x300",
        "dpr 2 without enlarge stops at the source size (dprScale = min(2, 1.33)); rs:fit:300:200/dpr:2; 400; 200;"
            + " pre 0,0,400,200 | 400x200 | post 0,0,400,200 | ext 400x200+0+0 | out 400x200",
        "dpr 2 with enlarge: scale 1.5; rs:fit:300:200:1/dpr:2; 400; 200;"
            + " pre 0,0,400,200 | 600x300 | post 0,0,600,300 | ext 600x300+0+0 | out 600x300",
        "dpr 2 scales padding (5 -> 10); w:100/dpr:2/pd:5; 1000; 500;"
            + " pre 0,0,1000,500 | 200x100 | post 0,0,200,100 | ext 200x100+0+0 | out 220x120",
        "dpr 1.5 padding 3 -> rint(4.5) = 4 (half even); w:100/dpr:1.5/pd:3; 1000; 500;"
            + " pre 0,0,1000,500 | 150x75 | post 0,0,150,75 | ext 150x75+0+0 | out 158x83",
        "dpr 2, extend, small source: no compensation with extend, dprScale 1; rs:fit:300:200:0:1/dpr:2; 200; 100;"
            + " pre 0,0,200,100 | 200x100 | post 0,0,200,100 | ext 300x200+50+50 | out 300x200",
        // --- min-width, min-height, zoom --------------------------------------------------
        "min-width overrides the box, then the result is cropped to width (doc warning);"
            + " rs:fit:100:100/mw:300; 1000; 500;"
            + " pre 0,0,1000,500 | 300x150 | post 100,26,100,100 | ext 100x100+0+0 | out 100x100",
        "min-width alone enlarges even with enlarge off (applied after the enlarge check); mw:300; 200; 100;"
            + " pre 0,0,200,100 | 300x150 | post 0,0,300,150 | ext 300x150+0+0 | out 300x150",
        "min-height raises the scale, then the width crops centred (rint(101/2)=50);"
            + " rs:fit:100:0/mh:100; 1000; 500;"
            + " pre 0,0,1000,500 | 200x100 | post 50,0,100,100 | ext 100x100+0+0 | out 100x100",
        "zoom 0.5 halves; z:0.5; 100; 50;"
            + " pre 0,0,100,50 | 50x25 | post 0,0,50,25 | ext 50x25+0+0 | out 50x25",
        "zoom 2 without enlarge does nothing; z:2; 100; 50;"
            + " pre 0,0,100,50 | 100x50 | post 0,0,100,50 | ext 100x50+0+0 | out 100x50",
        "zoom multiplies the box scale; rs:fit:300:200/z:0.5; 1000; 500;"
            + " pre 0,0,1000,500 | 150x75 | post 0,0,150,75 | ext 150x75+0+0 | out 150x75",
        "zoom x and y separately; z:0.5:0.25; 1000; 500;"
            + " pre 0,0,1000,500 | 500x125 | post 0,0,500,125 | ext 500x125+0+0 | out 500x125",
        // --- crop before resize -------------------------------------------------------------
        "crop absolute, centred: left rint(601/2)=300, top rint(201/2)=100; c:400:300; 1000; 500;"
            + " pre 300,100,400,300 | 400x300 | post 0,0,400,300 | ext 400x300+0+0 | out 400x300",
        "crop fractions 0.5 x 0.5 -> 500x250, top rint(125.5)=126; c:0.5:0.5; 1000; 500;"
            + " pre 250,126,500,250 | 500x250 | post 0,0,500,250 | ext 500x250+0+0 | out 500x250",
        "crop nowe; c:400:300:nowe; 1000; 500;"
            + " pre 0,0,400,300 | 400x300 | post 0,0,400,300 | ext 400x300+0+0 | out 400x300",
        "crop soea with offsets from the bottom-right; c:400:300:soea:10:20; 1000; 500;"
            + " pre 590,180,400,300 | 400x300 | post 0,0,400,300 | ext 400x300+0+0 | out 400x300",
        "crop focus point, clamped inside; c:0.5:0.5:fp:0.25:0.75; 1000; 500;"
            + " pre 0,250,500,250 | 500x250 | post 0,0,500,250 | ext 500x250+0+0 | out 500x250",
        "crop follows the main gravity when it has none; g:ea/c:400:300; 1000; 500;"
            + " pre 600,100,400,300 | 400x300 | post 0,0,400,300 | ext 400x300+0+0 | out 400x300",
        "crop larger than the source is clipped to it; c:5000:300; 1000; 500;"
            + " pre 0,100,1000,300 | 1000x300 | post 0,0,1000,300 | ext 1000x300+0+0 | out 1000x300",
        "crop then fit the cropped area; c:500:500/rs:fit:100:100; 1000; 500;"
            + " pre 250,0,500,500 | 100x100 | post 0,0,100,100 | ext 100x100+0+0 | out 100x100",
        // --- fill gravity (crop to result) ----------------------------------------------------
        "fill no; rs:fill:300:200/g:no; 1000; 500;"
            + " pre 0,0,1000,500 | 400x200 | post 50,0,300,200 | ext 300x200+0+0 | out 300x200",
        "fill ea; rs:fill:300:200/g:ea; 1000; 500;"
            + " pre 0,0,1000,500 | 400x200 | post 100,0,300,200 | ext 300x200+0+0 | out 300x200",
        "fill we; rs:fill:300:200/g:we; 1000; 500;"
            + " pre 0,0,1000,500 | 400x200 | post 0,0,300,200 | ext 300x200+0+0 | out 300x200",
        "fill noea; rs:fill:300:200/g:noea; 1000; 500;"
            + " pre 0,0,1000,500 | 400x200 | post 100,0,300,200 | ext 300x200+0+0 | out 300x200",
        "fill sowe; rs:fill:300:200/g:sowe; 1000; 500;"
            + " pre 0,0,1000,500 | 400x200 | post 0,0,300,200 | ext 300x200+0+0 | out 300x200",
        "fill ea offset pushes away from the east edge; rs:fill:300:200/g:ea:10; 1000; 500;"
            + " pre 0,0,1000,500 | 400x200 | post 90,0,300,200 | ext 300x200+0+0 | out 300x200",
        "fill we offset; rs:fill:300:200/g:we:10; 1000; 500;"
            + " pre 0,0,1000,500 | 400x200 | post 10,0,300,200 | ext 300x200+0+0 | out 300x200",
        "fill ce offsets add to the centre; rs:fill:300:200/g:ce:-10; 1000; 500;"
            + " pre 0,0,1000,500 | 400x200 | post 40,0,300,200 | ext 300x200+0+0 | out 300x200",
        "relative offset 0.1 of the 400 px outer width; rs:fill:300:200/g:we:0.1; 1000; 500;"
            + " pre 0,0,1000,500 | 400x200 | post 40,0,300,200 | ext 300x200+0+0 | out 300x200",
        "offsets are clamped inside; rs:fill:300:200/g:we:200; 1000; 500;"
            + " pre 0,0,1000,500 | 400x200 | post 100,0,300,200 | ext 300x200+0+0 | out 300x200",
        "dpr scales pixel offsets (10 -> 20); rs:fill:300:200/g:we:10/dpr:2; 2000; 1000;"
            + " pre 0,0,2000,1000 | 800x400 | post 20,0,600,400 | ext 600x400+0+0 | out 600x400",
        "fill ce vertical: top rint(401/2)=200; rs:fill:300:200; 500; 1000;"
            + " pre 0,0,500,1000 | 300x600 | post 0,200,300,200 | ext 300x200+0+0 | out 300x200",
        "fill so; rs:fill:300:200/g:so; 500; 1000;"
            + " pre 0,0,500,1000 | 300x600 | post 0,400,300,200 | ext 300x200+0+0 | out 300x200",
        "fill so offset; rs:fill:300:200/g:so:0:10; 500; 1000;"
            + " pre 0,0,500,1000 | 300x600 | post 0,390,300,200 | ext 300x200+0+0 | out 300x200",
        "fill nowe relative y; rs:fill:300:200/g:nowe:0:0.1; 500; 1000;"
            + " pre 0,0,500,1000 | 300x600 | post 0,60,300,200 | ext 300x200+0+0 | out 300x200",
        "fill soea; rs:fill:300:200/g:soea; 500; 1000;"
            + " pre 0,0,500,1000 | 300x600 | post 0,400,300,200 | ext 300x200+0+0 | out 300x200",
        "focus point x 0.4 of 400 -> 160 - 150; rs:fill:300:200/g:fp:0.4:0.5; 1000; 500;"
            + " pre 0,0,1000,500 | 400x200 | post 10,0,300,200 | ext 300x200+0+0 | out 300x200",
        "focus point clamped; rs:fill:300:200/g:fp:0.9:0.5; 1000; 500;"
            + " pre 0,0,1000,500 | 400x200 | post 100,0,300,200 | ext 300x200+0+0 | out 300x200",
        "smart gravity leaves the position to libvips; rs:fill:300:200/g:sm; 1000; 500;"
            + " pre 0,0,1000,500 | 400x200 | post sm 0,0,300,200 | ext 300x200+0+0 | out 300x200",
        // --- extend -------------------------------------------------------------------------
        "extend centred: top rint(51/2)=26; rs:fit:300:200:0:1; 1000; 500;"
            + " pre 0,0,1000,500 | 300x150 | post 0,0,300,150 | ext 300x200+0+26 | out 300x200",
        "extend so; rs:fit:300:200:0:1:so; 1000; 500;"
            + " pre 0,0,1000,500 | 300x150 | post 0,0,300,150 | ext 300x200+0+50 | out 300x200",
        "extend nowe with offsets, x clamped; ex:1:nowe:10:10/rs:fit:300:200; 1000; 500;"
            + " pre 0,0,1000,500 | 300x150 | post 0,0,300,150 | ext 300x200+0+10 | out 300x200",
        "extend a small source without enlarging; rs:fill:300:200:0:1; 200; 100;"
            + " pre 0,0,200,100 | 200x100 | post 0,0,200,100 | ext 300x200+50+50 | out 300x200",
        "extend with one side 0 keeps that side; rs:fit:300:0:0:1; 100; 50;"
            + " pre 0,0,100,50 | 100x50 | post 0,0,100,50 | ext 300x50+100+0 | out 300x50",
        "extend then padding; rs:fit:300:200:0:1/pd:10:0; 1000; 500;"
            + " pre 0,0,1000,500 | 300x150 | post 0,0,300,150 | ext 300x200+0+26 | out 300x220",
        "padding alone (CSS order); pd:1:2:3:4; 100; 50;"
            + " pre 0,0,100,50 | 100x50 | post 0,0,100,50 | ext 100x50+0+0 | out 106x54",
      })
  void plans(String rule, String options, int width, int height, String expected) {
    Options o = PARSER.parse(options == null ? "" : options);
    assertThat(describe(Geometry.plan(o, width, height))).as(rule).isEqualTo(expected);
  }

  /** Orientation: sizes are oriented; imgproxy crops before rotating with a turned gravity. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "rotate 90: a stored 1000x500 is planned as 500x1000; rs:fit:300:300/rot:90; 500; 1000; 1;"
            + " pre 0,0,500,1000 | 150x300 | post 0,0,150,300 | ext 150x300+0+0 | out 150x300",
        "rotate 90, crop nowe:10:20 lands top-left in oriented pixels; c:400:300:nowe:10:20/rot:90; 500; 1000; 1;"
            + " pre 10,20,400,300 | 400x300 | post 0,0,400,300 | ext 400x300+0+0 | out 400x300",
        "EXIF 6 is a 90 degree turn like rot:90; c:400:300:nowe:10:20; 500; 1000; 6;"
            + " pre 10,20,400,300 | 400x300 | post 0,0,400,300 | ext 400x300+0+0 | out 400x300",
        "EXIF 5 turns and flips; c:400:300:nowe:10:20; 500; 1000; 5;"
            + " pre 10,20,400,300 | 400x300 | post 0,0,400,300 | ext 400x300+0+0 | out 400x300",
        "auto-rotate off ignores EXIF; c:400:300:nowe:10:20/ar:0; 1000; 500; 6;"
            + " pre 10,20,400,300 | 400x300 | post 0,0,400,300 | ext 400x300+0+0 | out 400x300",
        "rotate 180: centring rounds in stored pixels (300 there, 1000-300-401 = 299 here); c:401:300/rot:180; 1000; 500; 1;"
            + " pre 299,100,401,300 | 401x300 | post 0,0,401,300 | ext 401x300+0+0 | out 401x300",
        "flip: the crop gravity is mirrored before, the rectangle after; c:400:300:nowe/fl:1; 1000; 500; 1;"
            + " pre 0,0,400,300 | 400x300 | post 0,0,400,300 | ext 400x300+0+0 | out 400x300",
        "focus point with rotate 90; c:100:100:fp:0.25:0.5/rot:90; 500; 1000; 1;"
            + " pre 75,450,100,100 | 100x100 | post 0,0,100,100 | ext 100x100+0+0 | out 100x100",
        "smart pre-crop keeps the oriented size; c:400:300:sm/rot:90; 500; 1000; 1;"
            + " pre sm 0,0,400,300 | 400x300 | post 0,0,400,300 | ext 400x300+0+0 | out 400x300",
      })
  void orientation(
      String rule, String options, int width, int height, int orientation, String expected) {
    Options o = PARSER.parse(options);
    assertThat(describe(Geometry.plan(o, width, height, orientation, false, 0)))
        .as(rule)
        .isEqualTo(expected);
  }

  @Test
  void extendAspectRatioEmbedsToTheBoxRatio() {
    // outW 300, outH 150; diffH (2) > diffW (1) -> height becomes 300 * 300/300
    ResizePlan p = Geometry.plan(PARSER.parse("rs:fit:300:300/exar:1"), 1000, 500);
    assertThat(p.extendAspectRatio()).isEqualTo(new Embed(300, 300, 0, 76));
    assertThat(p.width()).isEqualTo(300);
    assertThat(p.height()).isEqualTo(300);
    // a small source is not enlarged but padded to 3:2: 100x100 -> 150x100, left rint(25.5)=26
    ResizePlan small = Geometry.plan(PARSER.parse("rs:fit:300:200/exar:1"), 100, 100);
    assertThat(small.resizedWidth()).isEqualTo(100);
    assertThat(small.extendAspectRatio()).isEqualTo(new Embed(150, 100, 26, 0));
    assertThat(small.width()).isEqualTo(150);
  }

  @Test
  void maxResultSideScalesEverythingDown() {
    ResizePlan p = Geometry.plan(Options.DEFAULTS, 4000, 2000, 1, false, 1000);
    assertThat(p.resizedWidth()).isEqualTo(1000);
    assertThat(p.resizedHeight()).isEqualTo(500);
    assertThat(p.scaleX()).isEqualTo(0.25);
    // padding counts: 4000 + 2 * 100 -> down = 1000/4200, padding 100 -> rint(23.8) = 24
    ResizePlan padded = Geometry.plan(PARSER.parse("pd:100"), 4000, 2000, 1, false, 1000);
    assertThat(padded.padding()).isEqualTo(Padding.all(24));
    assertThat(padded.width()).isEqualTo(952 + 48);
  }

  @Test
  void vectorSourcesMayAlwaysEnlarge() {
    ResizePlan p = Geometry.plan(PARSER.parse("rs:fit:300:300"), 100, 50, 1, true, 0);
    assertThat(p.resizedWidth()).isEqualTo(300);
    assertThat(p.resizedHeight()).isEqualTo(150);
  }

  @Test
  void neverBelowOnePixel() {
    ResizePlan p = Geometry.plan(PARSER.parse("rs:force:1:1"), 5000, 1);
    assertThat(p.resizedWidth()).isEqualTo(1);
    assertThat(p.resizedHeight()).isEqualTo(1);
    ResizePlan fit = Geometry.plan(PARSER.parse("rs:fit:10:10"), 10000, 2);
    assertThat(fit.resizedWidth()).isEqualTo(10);
    assertThat(fit.resizedHeight()).isEqualTo(1);
    assertThat(Geometry.plan(PARSER.parse("c:0.0001:0.0001"), 100, 100).preCrop())
        .isEqualTo(new CropRect(50, 50, 1, 1, false));
  }

  @Test
  void planIsSelfConsistent() {
    ResizePlan p =
        Geometry.plan(PARSER.parse("c:0.8:0.9/rs:fill:333:222:1:1/pd:3/dpr:1.7"), 1234, 987);
    assertThat(p.preCrop().width()).isEqualTo(987);
    assertThat(Geometry.scale(p.preCrop().width(), p.scaleX())).isEqualTo(p.resizedWidth());
    assertThat(p.postCrop().x() + p.postCrop().width()).isLessThanOrEqualTo(p.resizedWidth());
    assertThat(p.extend().width()).isEqualTo(p.width() - p.padding().left() - p.padding().right());
    assertThat(p.needsSmartCrop()).isFalse();
  }

  @Test
  void roundingHelpersMatchGo() {
    assertThat(Geometry.round(2.5)).isEqualTo(3);
    assertThat(Geometry.round(-2.5)).isEqualTo(-3);
    assertThat(Geometry.round(0.49999999999999994)).isZero();
    assertThat(Geometry.scaleToEven(5, 0.5)).isEqualTo(2);
    assertThat(Geometry.shrinkToEven(101, 2)).isEqualTo(50);
    assertThat(Geometry.shrinkToEven(51, 2)).isEqualTo(26);
    assertThat(Geometry.cropSize(1000, 250.9)).isEqualTo(250);
  }

  @Test
  void turningGravityMatchesImgproxysTables() {
    // rotate 90 clockwise: the oriented north is the stored west, oriented +x is stored -y
    assertThat(Geometry.turn(new Gravity(GravityType.NORTH, 3, 4), 90, false, false))
        .isEqualTo(new Gravity(GravityType.WEST, 4, -3));
    assertThat(Geometry.turn(new Gravity(GravityType.CENTER, 3, 4), 180, false, false))
        .isEqualTo(new Gravity(GravityType.CENTER, -3, -4));
    assertThat(Geometry.turn(Gravity.focusPoint(0.2, 0.3), 270, false, false))
        .isEqualTo(Gravity.focusPoint(0.7, 0.2));
    assertThat(Geometry.turn(new Gravity(GravityType.SOUTH, 3, 4), 0, true, true))
        .isEqualTo(new Gravity(GravityType.NORTH, -3, 4));
  }

  @Test
  void rejectsEmptySources() {
    assertThatThrownBy(() -> Geometry.plan(Options.DEFAULTS, 0, 10))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
