package dev.imgd.vips;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.testkit.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** FM-04: every native handle is released deterministically; libvips memory returns to base. */
@Tag("smoke")
class NativeMemoryLeakTest {
  private static final int ROUNDS = 2_000; // 5 operations a round: 10,000 operations

  @BeforeAll
  static void start() {
    TestVips.start();
  }

  @Test
  void tenThousandOperationsReturnToBaseline_FM04() throws InterruptedException {
    byte[] jpeg = Fixtures.bytes("Landscape_1.jpg");
    byte[] truncated = Fixtures.bytes("truncated.jpg");
    warmUp(jpeg);
    VipsStats before = Vips.stats();
    long objectsBefore = Vips.liveObjects();

    for (int i = 0; i < ROUNDS; i++) {
      try (VipsImage in =
              VipsOperation.of("jpegload_buffer").set("buffer", jpeg).set("shrink", 4).image();
          VipsImage small = VipsOperation.of("resize").in(in).set("scale", 0.5).image();
          VipsImage flipped =
              VipsOperation.of("flip").in(small).set("direction", "horizontal").image()) {
        byte[] out = VipsOperation.of("pngsave_buffer").in(flipped).bytes();
        assertThat(out).isNotEmpty();
      }
      // An error path in every round: the failed operation must release its inputs too.
      assertThatThrownBy(
              () -> {
                try (VipsImage bad =
                    VipsOperation.of("jpegload_buffer")
                        .set("buffer", truncated)
                        .set("shrink", 8)
                        .set("fail_on", "truncated")
                        .image()) {
                  VipsOperation.of("avg").in(bad).call("out").close();
                }
              })
          .isInstanceOf(VipsException.class);
    }

    // libvips' pooled worker threads drop their last buffers when their task ends, which on a
    // loaded machine can be a moment after the call returned.
    VipsStats after = Vips.stats();
    for (int i = 0; i < 100 && after.memory() > before.memory(); i++) {
      Thread.sleep(50);
      after = Vips.stats();
    }
    assertThat(after.memory()).as("tracked bytes").isLessThanOrEqualTo(before.memory());
    assertThat(after.allocations())
        .as("tracked allocations")
        .isLessThanOrEqualTo(before.allocations());
    assertThat(after.openFiles()).as("open files").isLessThanOrEqualTo(before.openFiles());
    assertThat(Vips.liveObjects()).as("live libvips objects").isEqualTo(objectsBefore);
  }

  @Test
  void liveObjectCountSeesAnOpenImage() {
    long base = Vips.liveObjects();
    try (VipsImage img = VipsImage.fromPixels(new byte[4], 2, 2, 1)) {
      assertThat(Vips.liveObjects()).isGreaterThan(base);
    }
    assertThat(Vips.liveObjects()).isEqualTo(base);
  }

  private static void warmUp(byte[] jpeg) {
    for (int i = 0; i < 3; i++) {
      try (VipsImage in = VipsOperation.of("jpegload_buffer").set("buffer", jpeg).image()) {
        VipsOperation.of("pngsave_buffer").in(in).bytes();
      }
    }
  }
}
