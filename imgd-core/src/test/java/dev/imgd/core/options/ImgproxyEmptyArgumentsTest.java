package dev.imgd.core.options;

import static dev.imgd.core.options.OptionsParserTest.assertBad;
import static dev.imgd.core.options.OptionsParserTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * imgproxy's parser (options/parser/parse.go, apply.go) on empty positional arguments: an empty
 * gravity offset keeps its current value, in g, c, ex, exar and the size's extend; an empty trim
 * threshold is the default and an empty trim colour is detected. An empty argument that imgproxy
 * refuses (a gravity type, a crop width, a boolean) stays refused.
 */
class ImgproxyEmptyArgumentsTest {
  @Test
  void emptyGravityOffsetKeepsItsValue() {
    assertThat(parse("g:no::5").gravity()).isEqualTo(new Gravity(GravityType.NORTH, 0, 5));
    assertThat(parse("g:ea:10:").gravity()).isEqualTo(new Gravity(GravityType.EAST, 10, 0));
    assertThat(parse("g:no:10:20/g:so::").gravity())
        .isEqualTo(new Gravity(GravityType.SOUTH, 10, 20));
    assertThat(parse("g:no:10:20/g:so::7").gravity())
        .isEqualTo(new Gravity(GravityType.SOUTH, 10, 7));
  }

  @Test
  void emptyOffsetsInCropExtendAndExtendAspectRatio() {
    assertThat(parse("c:100:200:no::5").cropGravity())
        .contains(new Gravity(GravityType.NORTH, 0, 5));
    assertThat(parse("ex:1:no::5").extend())
        .isEqualTo(new Extend(true, new Gravity(GravityType.NORTH, 0, 5)));
    assertThat(parse("exar:1:so:3:").extendAspectRatio())
        .isEqualTo(new Extend(true, new Gravity(GravityType.SOUTH, 3, 0)));
    assertThat(parse("s:100:100:0:1:we::4").extend())
        .isEqualTo(new Extend(true, new Gravity(GravityType.WEST, 0, 4)));
  }

  @Test
  void emptyTrimArgumentsAreTheDefaults() {
    Trim t = parse("trim::ff0000").crop().trim();
    assertThat(t.threshold()).isEqualTo(10);
    assertThat(t.smart()).isFalse();
    assertThat(t.color()).isEqualTo(Rgb.fromHex("ff0000"));
    // As imgproxy, a later trim without a colour detects it again.
    Trim again = parse("trim:5:ff0000/trim:7").crop().trim();
    assertThat(again.smart()).isTrue();
    assertThat(again.threshold()).isEqualTo(7);
  }

  @Test
  void emptyArgumentsImgproxyRefusesStayRefused() {
    assertBad("g::5", "gravity");
    assertBad("c::100", "width");
    assertBad("ex::no", "boolean");
  }
}
