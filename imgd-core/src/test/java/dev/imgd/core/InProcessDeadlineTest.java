package dev.imgd.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.OperatingSystemMXBean;
import dev.imgd.testkit.Fixtures;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * FM-15 in process: past its deadline a job's libvips work is told to stop (the kill flag of its
 * images). The answer was a 504 while libvips went on computing for seconds, and the next job
 * waited behind it. Measured as the CPU time of libvips' threads, not as wall-clock speed: a
 * machine shared with other work slows everything, but stopped threads burn no CPU.
 */
class InProcessDeadlineTest {
  /**
   * A blur of sigma 300 on 6 MP: seconds of libvips CPU, past the deadline even on an idle machine.
   */
  private static final String HEAVY = "rs:fit:2725:0/bl:300";

  private static final OperatingSystemMXBean OS =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  @Test
  void pastItsDeadlineAJobsLibvipsWorkStopsAndTheNextJobRuns_FM15() throws Exception {
    // One thread: the next job waits behind the killed one unless it really stopped.
    try (Imgd imgd = Imgd.builder().threads(1).build()) {
      byte[] large = Fixtures.bytes("2569067123_aca715a2ee_o.jpg");
      long before = vipsCpuMillis();
      Instant deadline = Instant.now().plusSeconds(3);
      assertThatThrownBy(() -> imgd.process(large, imgd.parse(HEAVY), deadline))
          .isInstanceOfSatisfying(
              ImgdException.class,
              e -> assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED));
      long answered = System.nanoTime();
      long working = vipsCpuMillis() - before;
      assertThat(working)
          .as("libvips' threads worked on the job (the measure sees them)")
          .isPositive();

      // The next job waits on the one engine thread until the killed job has let go of it: with
      // libvips told to stop, the rest of one tile; untold, the rest of the blur.
      long cpu = vipsCpuMillis();
      Imgd.Result next =
          imgd.process(
              Fixtures.bytes("Landscape_1.jpg"),
              imgd.parse("rs:fit:100:0"),
              Instant.now().plus(Duration.ofSeconds(20)));
      assertThat(next.width()).isEqualTo(100);
      long nextMs = (System.nanoTime() - answered) / 1_000_000;
      long windDown = vipsCpuMillis() - cpu;

      // Then libvips' threads spend nothing: no work of the killed job goes on in the background.
      long idle = vipsCpuMillis();
      long process = OS.getProcessCpuTime();
      TimeUnit.SECONDS.sleep(1);
      long after = vipsCpuMillis() - idle;
      System.out.printf(
          "libvips threads: %d ms of CPU before the deadline; the next job done %d ms after the"
              + " answer (libvips CPU meanwhile, the killed job's last tile and the next job: %d"
              + " ms); %d ms in the second after (the whole process: %d ms)%n",
          working, nextMs, windDown, after, (OS.getProcessCpuTime() - process) / 1_000_000);
      assertThat(after).isLessThanOrEqualTo(20); // two clock ticks
    }
  }

  /**
   * CPU time of the threads libvips started ("libvips worker", "vips-..."), from /proc: the JVM's
   * own threads (the JIT compilers, the collector) are left out, as their work is not the job's.
   */
  private static long vipsCpuMillis() throws IOException {
    long ticks = 0;
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : tasks.toList()) {
        try {
          if (Files.readString(task.resolve("comm")).contains("vips")) {
            String stat = Files.readString(task.resolve("stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
          }
        } catch (NoSuchFileException e) {
          // the thread ended meanwhile
        }
      }
    }
    return ticks * 10; // USER_HZ is 100 on Linux
  }
}
