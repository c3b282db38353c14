package dev.imgd.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The canary's share and gates on their own (the pools and real workers: imgd-server's CanaryTest):
 * the input's bucket is stable and even, each gate switches the canary off once with its reason and
 * counts it, and the steps go 1, 5, 20, 100.
 */
class CanaryGatesTest {
  private static final long MS = 1_000_000;

  private final Window canaryJobs = new Window(Duration.ofMinutes(5));

  private Canary canary(int percent) {
    return new Canary(
        new Canary.Settings(
            Path.of("libvips.so"), percent, Duration.ofMinutes(5), 20, 0.05, 1.5, 1.25),
        "8.99.0",
        canaryJobs);
  }

  @Test
  void anInputAlwaysFallsInTheSameBucketAndBucketsAreEven() {
    int[] tenths = new int[10];
    for (int i = 0; i < 20_000; i++) {
      byte[] input = ("image " + i).getBytes(StandardCharsets.US_ASCII);
      int b = Canary.bucket(input);
      assertThat(Canary.bucket(input.clone())).isEqualTo(b);
      tenths[b / 1000]++;
    }
    for (int n : tenths) {
      assertThat(n).isBetween(1_800, 2_200); // 2000 each, within 10%
    }
  }

  @Test
  void theShareTakesItsPartAndGrowsWithoutMovingAnImageBack() {
    Canary c = canary(0);
    List<byte[]> inputs = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      inputs.add(("image " + i).getBytes(StandardCharsets.US_ASCII));
    }
    assertThat(inputs).noneMatch(c::takes);
    List<Integer> steps = new ArrayList<>();
    List<byte[]> before = List.of();
    for (int i = 0; i < 4; i++) {
      steps.add(c.step().percent());
      List<byte[]> taken = inputs.stream().filter(c::takes).toList();
      assertThat(taken).containsAll(before);
      assertThat((double) taken.size() / inputs.size())
          .isCloseTo(steps.getLast() / 100.0, org.assertj.core.data.Offset.offset(0.02));
      before = taken;
    }
    assertThat(steps).containsExactly(1, 5, 20, 100);
    assertThat(c.step().percent()).isEqualTo(100);
  }

  @Test
  void aCrashTheStableBuildDoesNotRepeatSwitchesItOffOnceAndIsCounted() {
    Canary c = canary(20);
    c.failedAlone(ErrorCode.WORKER_CRASHED, "SIGSEGV");
    c.failedAlone(ErrorCode.WORKER_CRASHED, "SIGSEGV"); // already off: neither logged nor counted
    assertThat(c.state().percent()).isZero();
    assertThat(c.state().reason()).isEqualTo(Canary.Reason.CRASH);
    assertThat(c.state().off()).contains("SIGSEGV");
    assertThat(c.offs(Canary.Reason.CRASH)).isEqualTo(1);
    assertThat(c.takes("any".getBytes(StandardCharsets.US_ASCII))).isFalse();
    // Stepped up again by hand: on at 1%.
    assertThat(c.step().percent()).isEqualTo(1);
    assertThat(c.state().off()).isNull();
  }

  @Test
  void newFailuresAboveTheMarginSwitchItOffOnceBothSidesHaveTheirJobs() {
    Canary c = canary(20);
    for (int i = 0; i < 19; i++) {
      jobs(c, 1, 10 * MS, 100 << 20);
      c.failedAlone(ErrorCode.CORRUPT_IMAGE, "truncated");
      c.judge();
    }
    assertThat(c.state().percent()).as("19 jobs: too few to judge").isEqualTo(20);
    jobs(c, 20, 10 * MS, 100 << 20);
    c.judge();
    assertThat(c.state().reason()).isEqualTo(Canary.Reason.ERROR_RATE);
    assertThat(c.offs(Canary.Reason.ERROR_RATE)).isEqualTo(1);
  }

  @Test
  void aSlowerP99SwitchesItOff() {
    Canary c = canary(20);
    jobs(c, 40, 10 * MS, 100 << 20);
    for (int i = 0; i < 40; i++) {
      canaryJobs.add(i < 38 ? 10 * MS : 30 * MS, false, 100 << 20); // the slowest 5%: 3x
    }
    c.judge();
    assertThat(c.state().reason()).isEqualTo(Canary.Reason.LATENCY);
  }

  @Test
  void moreMemorySwitchesItOffAndTheSameDoesNot() {
    Canary same = canary(20);
    jobs(same, 40, 10 * MS, 100 << 20);
    for (int i = 0; i < 40; i++) {
      canaryJobs.add(10 * MS, false, 110 << 20); // 1.1x: within the margin
    }
    same.judge();
    assertThat(same.state().off()).isNull();
    canaryJobs.add(10 * MS, false, 200 << 20);
    same.judge();
    assertThat(same.state().reason()).isEqualTo(Canary.Reason.MEMORY);
  }

  /** {@code n} jobs on each side, all alike. */
  private void jobs(Canary c, int n, long nanos, long peak) {
    for (int i = 0; i < n; i++) {
      c.control(nanos, false, peak);
      canaryJobs.add(nanos, false, peak);
    }
  }
}
