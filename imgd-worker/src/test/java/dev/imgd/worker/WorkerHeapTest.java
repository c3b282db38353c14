package dev.imgd.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.Imgd;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * FM-25 (RSS that only grows), issue 17: a worker's Java heap holds one job's source and result,
 * and a large one lands in the old generation, which the serial collector grew rather than
 * collected. After W3's and W6's 24 MP sources each worker kept ~330 MiB resident through the rest
 * of the bench, against ~120 MiB after W1 alone. A worker now collects between jobs once its heap
 * has grown, so sources of megabytes come and go without staying resident.
 */
class WorkerHeapTest {
  private static final long MIB = 1 << 20;
  private static IsolatedEngine engine;
  private static Imgd imgd;

  @BeforeAll
  static void start() {
    engine =
        IsolatedEngine.start(IsolatedEngine.Settings.defaults(List.of(TestImages.library()), 1));
    imgd = Imgd.builder().engine(engine).build();
  }

  @AfterAll
  static void stop() {
    imgd.close();
  }

  @Test
  void largeSourcesDoNotStayResidentInAWorker_FM25() throws IOException {
    byte[] large = noiseJpeg(3200, 2400); // megabytes that barely compress
    assertThat(large.length).isGreaterThan(4 * (int) MIB);
    for (int i = 0; i < 2; i++) {
      imgd.process(large, "rs:fit:100:0"); // the worker's code and libvips warmed up
    }
    long before = workersRss();
    for (int i = 0; i < 24; i++) {
      assertThat(imgd.process(large, "rs:fit:100:0").width()).isEqualTo(100);
    }
    long grown = workersRss() - before;
    // 24 sources pass through: kept, they would add their size each (over 100 MiB here).
    assertThat(grown)
        .as("workers' RSS grew by %d MiB over 24 jobs of %d KiB", grown / MIB, large.length >> 10)
        .isLessThan(48 * MIB);
  }

  /** A JPEG of random pixels: one the size of a camera's photo, made without libvips. */
  private static byte[] noiseJpeg(int width, int height) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(17);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, random.nextInt(1 << 24));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "jpg", out);
    return out.toByteArray();
  }

  /** The resident memory of every worker process, the spare included. */
  private static long workersRss() {
    return IsolatedEngineTest.workerProcesses().stream().mapToLong(p -> Worker.rss(p.pid())).sum();
  }
}
