package dev.imgd.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import dev.imgd.testkit.Fixtures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 17, item 4, FM-11: the hostile corpus over HTTP found truncated sources answered 500
 * engine_failed, because the decoder's failure reached imgd without a reason that names the input.
 * The input is at fault: 422 corrupt_image.
 */
class LateDecodeFailureTest {
  private static final byte[] AVIF =
      Fixtures.bytes("sdr_cosmos12920_cicp1-13-6_yuv444_full_qp10.avif");

  /**
   * Trim holds the image in memory first: a cut AVIF then fails in copy_memory, "source: bad seek
   * to ...", a message of the operation that pulled the pixels, not of the loader.
   */
  @ParameterizedTest(name = "cut at {0}%")
  @CsvSource({"25", "50", "75", "95"})
  void truncatedSourceFailingUnderAnotherOperationsNameIsCorruptImage(int percent) {
    byte[] cut = Arrays.copyOf(AVIF, AVIF.length * percent / 100);
    ImgdException e =
        catchThrowableOfType(
            ImgdException.class, () -> Engines.engine().process(cut, "t:10/rs:fit:300:0/f:jpg"));
    assertThat(e).as("a refusal").isNotNull();
    assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.CORRUPT_IMAGE);
  }

  /**
   * libvips' error buffer is process-wide and every call clears it first: with jobs running side by
   * side, a decoder's message is often gone when its job reads it ("jpegsave_buffer: unknown
   * libvips error", "vips2png: unable to write to target"). Cut sources at 4 threads: every failure
   * is still the input's.
   */
  @Test
  void decodeFailureWhoseMessageAConcurrentCallClearedIsCorruptImage() throws Exception {
    List<byte[]> cuts = new ArrayList<>();
    for (String image : List.of("Landscape_1.jpg", "with-alpha.png")) {
      byte[] whole = Fixtures.bytes(image);
      for (int percent = 20; percent < 100; percent += 20) {
        cuts.add(Arrays.copyOf(whole, whole.length * percent / 100));
      }
    }
    cuts.add(Arrays.copyOf(AVIF, AVIF.length / 2));
    Map<String, Integer> codes = new TreeMap<>();
    try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
      List<Future<String>> answers = new ArrayList<>();
      for (int round = 0; round < 6; round++) {
        for (byte[] cut : cuts) {
          for (String format : List.of("jpg", "png")) {
            answers.add(
                threads.submit(() -> {
                  try {
                    Engines.engine().process(cut, "rs:fit:300:0/f:" + format);
                    return "200";
                  } catch (ImgdException e) {
                    return e.code() + (e.code() == ErrorCode.CORRUPT_IMAGE ? "" : ": " + e);
                  }
                }));
          }
        }
      }
      for (Future<String> a : answers) {
        codes.merge(a.get(), 1, Integer::sum);
      }
    }
    assertThat(codes.keySet()).as("%s", codes).isSubsetOf("CORRUPT_IMAGE", "200");
  }
}
