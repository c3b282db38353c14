package dev.imgd.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.Imgd;
import dev.imgd.testkit.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * FM-08: options, plans and codec settings are immutable and the engine shares nothing mutable, so
 * 8 threads converting mixed formats, from virtual threads too, give byte-identical output to one
 * thread.
 */
@Tag("smoke")
class ConcurrencyDeterminismTest {
  private static final String[][] JOBS = {
    {"2569067123_aca715a2ee_o.jpg", "w:300/f:jpg"},
    {"alpha-premultiply-2048x1536-paper.png", "w:300/f:webp"},
    {"4.webp", "rs:fill:200:200/g:sm/f:png"},
    {"animated-loop-3.gif", "w:100/f:gif"},
    {"Channel_digital_image_CMYK_color.jpg", "w:200/bl:1/f:jpg"},
    {"Landscape_6.jpg", "w:200/wm:0.5:soea:0:0:0.2/f:png"},
    {"with-alpha.png", "w:120/pd:4/bg:ff00ff/f:jpg"},
    {"rotating-squares.webp", "w:40/f:webp"},
  };

  @Test
  void manyThreadsGiveTheBytesOfOne_FM08() throws Exception {
    Imgd imgd = Engines.engine();
    List<byte[]> single = new ArrayList<>();
    for (String[] job : JOBS) {
      single.add(imgd.process(Fixtures.bytes(job[0]), job[1]).bytes());
    }
    for (ExecutorService callers :
        List.of(Executors.newFixedThreadPool(8), Executors.newVirtualThreadPerTaskExecutor())) {
      try (callers) {
        List<Future<byte[]>> futures = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
          for (String[] job : JOBS) {
            futures.add(callers.submit(() -> imgd.process(Fixtures.bytes(job[0]), job[1]).bytes()));
          }
        }
        for (int i = 0; i < futures.size(); i++) {
          assertThat(futures.get(i).get())
              .as("job %s", JOBS[i % JOBS.length][0])
              .isEqualTo(single.get(i % JOBS.length));
        }
      }
    }
  }
}
