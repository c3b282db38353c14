package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** FM-16: measured memory moves the tiers up at once and down only past a margin. */
class PressureTest {
  @Test
  void tiersMoveWithHysteresis() {
    AtomicLong used = new AtomicLong();
    Pressure p = new Pressure(used::get, 1000);
    assertThat(tier(p, used, 500)).isEqualTo(Pressure.Tier.NORMAL);
    assertThat(tier(p, used, 700)).isEqualTo(Pressure.Tier.REDUCED);
    assertThat(tier(p, used, 650)).isEqualTo(Pressure.Tier.REDUCED); // within the margin
    assertThat(tier(p, used, 950)).isEqualTo(Pressure.Tier.SHEDDING);
    assertThat(tier(p, used, 850)).isEqualTo(Pressure.Tier.SHEDDING); // within the margin
    assertThat(tier(p, used, 790)).isEqualTo(Pressure.Tier.REDUCED);
    assertThat(tier(p, used, 610)).isEqualTo(Pressure.Tier.REDUCED);
    assertThat(tier(p, used, 590)).isEqualTo(Pressure.Tier.NORMAL);
    assertThat(tier(p, used, 10_000)).isEqualTo(Pressure.Tier.SHEDDING);
    assertThat(tier(p, used, 100)).isEqualTo(Pressure.Tier.NORMAL);
  }

  /** Issue 15: bytes held for bodies move the tier too, though resident memory stays low. */
  @Test
  void bufferedBytesMoveTheTier() {
    AtomicLong buffered = new AtomicLong();
    Pressure p = new Pressure(() -> 10, 1000, buffered::get, 100);
    assertThat(tier(p, buffered, 50)).isEqualTo(Pressure.Tier.NORMAL);
    assertThat(tier(p, buffered, 75)).isEqualTo(Pressure.Tier.REDUCED);
    assertThat(tier(p, buffered, 95)).isEqualTo(Pressure.Tier.SHEDDING);
    assertThat(tier(p, buffered, 0)).isEqualTo(Pressure.Tier.NORMAL);
  }

  private static Pressure.Tier tier(Pressure p, AtomicLong used, long value) {
    used.set(value);
    return p.update();
  }
}
