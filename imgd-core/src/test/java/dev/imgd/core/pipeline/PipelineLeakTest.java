package dev.imgd.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.core.Imgd;
import dev.imgd.core.ImgdException;
import dev.imgd.testkit.Fixtures;
import dev.imgd.vips.Vips;
import dev.imgd.vips.VipsStats;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * FM-04 for the whole pipeline: every step closes what it made, on success and on failure, so
 * libvips' live objects and tracked memory are back at their baseline after each job. A handle left
 * to the Cleaner stays live until a GC and fails this test.
 */
@Tag("smoke")
class PipelineLeakTest {
  private static final long THREAD_BUFFERS = 2 * (256 << 10);
  private static final String[][] JOBS = {
    {"animated-loop-3.gif", "w:100/f:gif"},
    {"animated-loop-3.webp", "w:100/f:webp"},
    {"Landscape_7.jpg", "rs:fill:90:90/g:sm/bl:1/sh:1/pix:3/pd:2/ex:1/f:png"},
    {"with-alpha.png", "w:64/wm:0.5:re:2:2:0.3/f:jpg"},
    {"Flag_of_the_Netherlands-alpha.png", "t:10/w:50/f:webp"},
    {"4.webp", "c:0.5:0.5:nowe/w:80/mb:2000/f:jpg"},
    {"Channel_digital_image_CMYK_color.jpg", "w:80/f:avif"},
  };

  /**
   * Every thread that runs libvips (the engine's, and libvips' own sink threads) keeps a few
   * buffers for reuse until it ends, so the tracked bytes after a round depend on which thread ran
   * which job: a CI run with four engine threads ended 450 KB above its baseline, and with one
   * engine thread on a loaded machine (load 15 on 2 cores) libvips' sink threads still added two
   * such caches. So one engine thread, three warm-up rounds, and a slack of two caches (512 KiB)
   * over 192 jobs: a leak of 3 KB a job fails.
   */
  @Test
  void everyStepReleasesWhatItMade_FM04() {
    try (Imgd engine =
        Imgd.builder().threads(1).watermark(Fixtures.bytes("with-alpha.png")).build()) {
      for (int warm = 0; warm < 3; warm++) {
        for (String[] job : JOBS) {
          engine.process(Fixtures.bytes(job[0]), job[1]); // codec state is made once
        }
      }
      long objects = Vips.liveObjects();
      VipsStats before = Vips.stats();
      for (int round = 0; round < 24; round++) {
        for (String[] job : JOBS) {
          engine.process(Fixtures.bytes(job[0]), job[1]);
        }
        assertThatThrownBy(() -> engine.process(Fixtures.bytes("truncated.jpg"), "w:90"))
            .isInstanceOf(ImgdException.class);
      }
      assertThat(Vips.liveObjects()).as("live libvips objects").isEqualTo(objects);
      assertThat(Vips.stats().memory())
          .as("tracked bytes")
          .isLessThanOrEqualTo(before.memory() + THREAD_BUFFERS);
    }
  }
}
