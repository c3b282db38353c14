package dev.imgd.vips;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.testkit.Fixtures;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("smoke")
class VipsOperationTest {
  @BeforeAll
  static void start() {
    TestVips.start();
  }

  @Test
  void loadsShrinksResizesAndSavesAJpeg() {
    byte[] source = Fixtures.bytes("2569067123_aca715a2ee_o.jpg");
    try (VipsImage loaded =
            VipsOperation.of("jpegload_buffer")
                .set("buffer", source)
                .set("shrink", 2)
                .set("fail_on", "truncated")
                .image();
        VipsImage resized =
            VipsOperation.of("resize")
                .in(loaded)
                .set("scale", 720.0 / loaded.width())
                .set("kernel", "lanczos3")
                .image()) {
      assertThat(loaded.width()).isEqualTo(1362);
      assertThat(resized.width()).isEqualTo(720);
      assertThat(resized.interpretation()).isEqualTo("srgb");
      assertThat(resized.format()).isEqualTo("uchar");
      byte[] jpeg = VipsOperation.of("jpegsave_buffer").in(resized).set("Q", 80).bytes();
      assertThat(jpeg).hasSizeGreaterThan(10_000);
      assertThat(jpeg[0] & 0xff).isEqualTo(0xff);
      assertThat(jpeg[1] & 0xff).isEqualTo(0xd8);
    }
  }

  @Test
  void readsTypedOutputsOfEveryKind() {
    try (VipsImage img = VipsImage.fromPixels(new byte[] {10, 20, 30, 40}, 2, 2, 1);
        var out = VipsOperation.of("max").in(img).call("out", "x", "y")) {
      assertThat(out.doubleValue("out")).isEqualTo(40.0);
      assertThat(out.intValue("x")).isEqualTo(1);
      assertThat(out.intValue("y")).isEqualTo(1);
    }
    try (VipsImage img = VipsImage.fromPixels(new byte[] {10, 20, 30, 40}, 2, 2, 1);
        var out = VipsOperation.of("getpoint").in(img).set("x", 1).set("y", 0).call("out_array")) {
      assertThat((double[]) out.get("out_array")).containsExactly(20.0);
    }
  }

  @Test
  void unknownOperationArgumentAndNickAreTypedErrors() {
    assertThatThrownBy(() -> VipsOperation.of("no_such_op").run())
        .isInstanceOf(VipsException.class)
        .hasMessageContaining("no_such_op");
    try (VipsImage img = VipsImage.fromPixels(new byte[4], 2, 2, 1)) {
      assertThatThrownBy(() -> VipsOperation.of("resize").in(img).set("bogus", 1).image())
          .isInstanceOf(VipsException.class)
          .hasMessageContaining("bogus");
      assertThatThrownBy(() ->
              VipsOperation.of("resize").in(img).set("scale", 0.5).set("kernel", "nope").image())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("nope");
      assertThatThrownBy(() -> VipsOperation.of("resize").in(img).set("scale", "x").image())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("scale");
      // GObject refuses out-of-range values only through a log message; it must still fail.
      assertThatThrownBy(() -> VipsOperation.of("jpegsave_buffer").in(img).set("Q", 1000).bytes())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Q");
    }
  }

  @Test
  void refusesVirtualThreads() throws Exception {
    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      var future =
          executor.submit(() -> {
            try (VipsImage img = VipsImage.fromPixels(new byte[4], 2, 2, 1)) {
              return VipsOperation.of("invert").in(img).image();
            }
          });
      assertThatThrownBy(future::get).hasCauseInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void blockedLoadersAreRefused() { // FM-20: only allow-listed loaders are reachable
    // TIFF is not among the default loaders: its loader class is blocked.
    try (VipsImage img = VipsImage.fromPixels(new byte[12], 2, 2, 3)) {
      byte[] tiff = VipsOperation.of("tiffsave_buffer").in(img).bytes();
      assertThatThrownBy(() -> VipsOperation.of("tiffload_buffer").set("buffer", tiff).image())
          .isInstanceOf(VipsException.class)
          .hasMessageContaining("blocked");
    }
  }

  @Test
  void capabilitiesAreDiscovered() {
    Capabilities caps = Vips.capabilities();
    assertThat(caps.has("jpegload_buffer")).isTrue();
    assertThat(caps.has("pngload_buffer")).isTrue();
    assertThat(caps.has("jpegsave_buffer")).isTrue();
    assertThat(caps.has("webpsave_buffer")).isTrue();
    assertThat(caps.has("nosuchformatload_buffer")).isFalse();
    assertThat(caps.roundTrip("pngsave_buffer", "pngload_buffer", Map.of()))
        .isEqualTo(Capabilities.RoundTrip.WRITES_AND_READS);
    assertThat(caps.version()).startsWith("8.");
  }
}
