package dev.imgd.core.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ByteReaderTest {

  /** The word-at-a-time scan finds what a byte-by-byte scan finds, at every alignment. */
  @Test
  void indexOfMatchesAByteByByteScan() {
    SplittableRandom random = new SplittableRandom(6);
    for (int round = 0; round < 20_000; round++) {
      byte[] data = new byte[random.nextInt(0, 40)];
      // Few distinct values, so matches, near-matches (0x7F, 0x80, 0xFE) and runs are common.
      int[] values = {0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF};
      for (int i = 0; i < data.length; i++) {
        data[i] = (byte) values[random.nextInt(values.length)];
      }
      int b = values[random.nextInt(values.length)];
      long from = random.nextInt(-2, data.length + 3);
      long to = random.nextInt(-2, data.length + 3);
      assertThat(new ByteReader(data, "test").indexOf(b, from, to))
          .as("%s in %s from %d to %d", b, java.util.HexFormat.of().formatHex(data), from, to)
          .isEqualTo(naive(data, b, from, to));
    }
  }

  private static int naive(byte[] data, int b, long from, long to) {
    for (long i = Math.max(from, 0); i < Math.min(to, data.length); i++) {
      if ((data[(int) i] & 0xFF) == b) {
        return (int) i;
      }
    }
    return -1;
  }
}
