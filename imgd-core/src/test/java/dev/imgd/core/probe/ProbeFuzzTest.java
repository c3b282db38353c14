package dev.imgd.core.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.core.Limits;

/**
 * The probe either returns a sane result or throws ImgdException, whatever the bytes (FM-01, FM-11,
 * FM-17). Without JAZZER_FUZZ it replays the committed corpus in
 * src/test/resources/dev/imgd/core/probe/ProbeFuzzTestInputs/probe; with JAZZER_FUZZ=1 it fuzzes.
 * It calls the probe without its safety net, so a reader bug is a finding, not a CORRUPT_IMAGE.
 */
class ProbeFuzzTest {
  static int executions;

  @FuzzTest(maxDuration = "2m")
  void probe(byte[] data) {
    executions++;
    try {
      ProbeResult p = Probe.unguarded(data, null);
      boolean raster = p.format() != ImageFormat.SVG && p.format() != ImageFormat.PDF;
      if (raster) {
        assertThat(p.width()).isPositive();
        assertThat(p.height()).isPositive();
      }
      assertThat(p.frames()).isPositive();
      assertThat(p.estimatedDecodeBytes()).isNotNegative();
    } catch (ImgdException e) {
      assertThat(e.code())
          .isIn(ErrorCode.CORRUPT_IMAGE, ErrorCode.UNSUPPORTED_FORMAT, ErrorCode.LIMIT_EXCEEDED);
    }
    try {
      Probe.unguarded(data, Limits.DEFAULTS);
    } catch (ImgdException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }
}
