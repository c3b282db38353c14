package dev.imgd.core.options;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.core.ImageFormat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OptionsTest {
  static Stream<Arguments> misuse() {
    return Stream.of(
        arg("negative width", b -> b.width(-1)),
        arg("negative min height", b -> b.minHeight(-1)),
        arg("zero zoom", b -> b.zoom(0)),
        arg("infinite dpr", b -> b.dpr(Double.POSITIVE_INFINITY)),
        arg("NaN dpr", b -> b.dpr(Double.NaN)),
        arg("rotate 45", b -> b.rotate(45)),
        arg("rotate 360", b -> b.rotate(360)),
        arg("quality 101", b -> b.quality(101)),
        arg("format quality -1", b -> b.formatQuality(ImageFormat.JPEG, -1)),
        arg("pdf output", b -> b.format(ImageFormat.PDF)),
        arg("negative crop", b -> b.crop(-1, 0)),
        arg("replicate gravity", b -> b.gravity(Gravity.of(GravityType.REPLICATE))),
        arg("pages 0", b -> b.pages(0)),
        arg("cachebuster with ':'", b -> b.cachebuster("a:b")),
        arg("negative blur", b -> b.blur(-0.1)),
        arg("focus point out of range", b -> b.gravity(Gravity.focusPoint(1.5, 0))),
        arg("smart extend", b -> b.extend(Extend.on(Gravity.SMART))),
        arg("negative padding", b -> b.padding(new Padding(0, -1, 0, 0))),
        arg("colour 256", b -> b.background(new Rgb(256, 0, 0))),
        arg("opacity 2", b -> b.watermark(new Watermark(true, 2, Gravity.CENTER, 0))),
        arg("enabled watermark at 0", b -> b.watermark(new Watermark(true, 0, Gravity.CENTER, 0))),
        arg("smart watermark", b -> b.watermark(new Watermark(true, 1, Gravity.SMART, 0))));
  }

  static Arguments arg(String name, Consumer<Options.Builder> misuse) {
    return Arguments.of(name, misuse);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("misuse")
  void builderRefusesMisuse(String name, Consumer<Options.Builder> misuse) {
    assertThatThrownBy(() -> misuse.accept(Options.builder()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void builderSetsAndToBuilderCopies() {
    Options o =
        Options.builder()
            .resizingType(ResizingType.FILL)
            .size(300, 200)
            .dpr(2)
            .gravity(Gravity.focusPoint(0.3, 0.6))
            .crop(0.5, 0.5, Gravity.of(GravityType.NORTH))
            .background(Rgb.fromHex("abc"))
            .formatQuality(ImageFormat.WEBP, 70)
            .format(ImageFormat.AVIF)
            .skipProcessing(ImageFormat.SVG)
            .expires(123)
            .build();
    assertThat(o.effects().background()).isEqualTo(new Rgb(0xaa, 0xbb, 0xcc));
    assertThat(o.effects().flatten()).isTrue();
    assertThat(o.toBuilder().build()).isEqualTo(o).hasSameHashCodeAs(o);
    assertThat(o.toBuilder().width(301).build()).isNotEqualTo(o);
    assertThat(o.toBuilder().crop(0.5, 0.5, null).build().effectiveCropGravity())
        .isEqualTo(Gravity.focusPoint(0.3, 0.6));
    assertThat(new OptionsParser(Map.of()).parse(o.canonical()).canonical())
        .isEqualTo(o.canonical());
    assertThat(o.toString()).contains("rt:fill").contains("exp:123");
  }

  @Test
  void collectionsAreImmutable() {
    Options o = Options.builder().formatQuality(ImageFormat.JPEG, 80).build();
    assertThatThrownBy(() -> o.output().formatQuality().put(ImageFormat.PNG, 1))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> o.input().skipProcessing().add(ImageFormat.PNG))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  /**
   * A worker deserialises a plan's option groups before it touches Options, so a group can be the
   * first class initialised; that must not leave Options.DEFAULTS half built.
   */
  @Test
  void aGroupCanBeInitialisedBeforeOptions() throws Exception {
    URL classes = Options.class.getProtectionDomain().getCodeSource().getLocation();
    URL vips =
        Class.forName("dev.imgd.vips.Vips").getProtectionDomain().getCodeSource().getLocation();
    try (URLClassLoader fresh =
        new URLClassLoader(new URL[] {classes, vips}, ClassLoader.getPlatformClassLoader())) {
      Class.forName(Options.Resize.class.getName(), true, fresh);
      Class<?> options = Class.forName(Options.class.getName(), true, fresh);
      assertThat(options.getField("DEFAULTS").get(null)).hasToString(Options.DEFAULTS.toString());
    }
  }

  @Test
  void serializesAcrossAProcessBoundary() throws Exception {
    Options o =
        new OptionsParser(Map.of())
            .parse(
                "rs:fill:300:200:1:1:so:1:2/g:fp:0.2:0.8/c:0.5:0.5:nowe/t:5:fff/wm:0.5:re"
                    + "/fq:webp:70/skp:svg/f:png/cb:x/fn:a.jpg/exp:4000000000");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
      out.writeObject(Geometry.plan(o, 1000, 800));
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertThat(in.readObject()).isEqualTo(o);
      assertThat(in.readObject()).isEqualTo(Geometry.plan(o, 1000, 800));
    }
  }

  @Test
  void rgbHex() {
    assertThat(Rgb.fromHex("FF8000").toHex()).isEqualTo("ff8000");
    assertThat(Rgb.fromHex("f80")).isEqualTo(new Rgb(255, 136, 0));
    assertThatThrownBy(() -> Rgb.fromHex("ff80")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Rgb.fromHex("+f80000".substring(0, 6)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
