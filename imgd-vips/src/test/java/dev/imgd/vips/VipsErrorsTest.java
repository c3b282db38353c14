package dev.imgd.vips;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * libvips' error buffer is process-wide (issue 17): a call on one thread must not lose, or take,
 * the message of a call failing on another. Jobs side by side in one process, some failing each
 * with a message of its own, others succeeding: every failure carries its own message.
 */
class VipsErrorsTest {
  private static final int FAILING = 2;
  private static final int SUCCEEDING = 3;
  private static final int FAILURES = 1000;

  @BeforeAll
  static void start() {
    TestVips.start();
  }

  @Test
  void eachFailureCarriesItsOwnMessageWhileOtherJobsRunSideBySide() throws Exception {
    AtomicBoolean failing = new AtomicBoolean(true);
    try (ExecutorService threads = VipsThreads.pool("errors", FAILING + SUCCEEDING)) {
      List<Future<?>> succeeding = new ArrayList<>();
      for (int i = 0; i < SUCCEEDING; i++) {
        succeeding.add(
            threads.submit(() -> {
              while (failing.get()) {
                try (VipsImage black =
                    VipsOperation.of("black").set("width", 16).set("height", 16).image()) {
                  assertThat(VipsOperation.of("avg").in(black).call("out").doubleValue("out"))
                      .isZero();
                }
              }
              return null;
            }));
      }
      List<Future<Map<String, Integer>>> failures = new ArrayList<>();
      for (int i = 0; i < FAILING; i++) {
        byte first = (byte) ('A' + i);
        failures.add(threads.submit(() -> fail(first)));
      }
      try {
        for (int i = 0; i < FAILING; i++) {
          assertThat(failures.get(i).get())
              .as("the failures' messages")
              .containsOnlyKeys(own((byte) ('A' + i)));
        }
      } finally {
        failing.set(false);
      }
      for (Future<?> f : succeeding) {
        f.get();
      }
    }
  }

  /** libjpeg names the first two bytes of what is not a JPEG. */
  private static String own(byte first) {
    return "Not a JPEG file: starts with 0x%02x 0x%02x".formatted(first, first);
  }

  /** Fails {@link #FAILURES} times; counts the failures by message (their own, or another). */
  private static Map<String, Integer> fail(byte first) {
    byte[] notAJpeg = new byte[64];
    Arrays.fill(notAJpeg, first);
    Map<String, Integer> messages = new TreeMap<>();
    for (int n = 0; n < FAILURES; n++) {
      String message;
      try (VipsImage image = VipsOperation.of("jpegload_buffer").set("buffer", notAJpeg).image()) {
        message = "no failure";
      } catch (VipsException e) {
        message = String.valueOf(e.getMessage());
      }
      messages.merge(message.contains(own(first)) ? own(first) : message, 1, Integer::sum);
    }
    return messages;
  }
}
