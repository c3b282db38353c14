package dev.imgd.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.Imgd;
import dev.imgd.testkit.Fixtures;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * FM-04, as the soak reads it: the libvips memory a worker reports with each answer is what the job
 * left behind, not the pixel buffers libvips' own threads were still letting go of. The soak in CI
 * saw "1 MiB after, 0 before" from an idle worker whose last answer caught them.
 */
class WorkerMemoryReportTest {
  @Test
  void anAnswerReportsWhatTheJobLeftNotBuffersInFlight_soakIdleAfter() {
    byte[] wide = Fixtures.bytes("2569067123_aca715a2ee_o.jpg");
    try (IsolatedEngine engine =
            IsolatedEngine.start(
                IsolatedEngine.Settings.defaults(List.of(TestImages.library()), 1));
        Imgd imgd = Imgd.builder().engine(engine).build()) {
      List<Long> reported = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        imgd.process(wide, i % 2 == 0 ? "w:720/f:jpg" : "rs:fill:1500:400/bl:1/f:png");
        reported.add(engine.stats().vipsMemory());
      }
      assertThat(reported).as("libvips memory reported after each job").containsOnly(0L);
    }
  }
}
