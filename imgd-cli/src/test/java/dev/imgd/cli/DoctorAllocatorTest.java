package dev.imgd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * FM-25: {@code imgd doctor} says which allocator the process really uses. It printed what the
 * launcher's variable claimed (IMGD_ALLOCATOR_IN_USE), true or not; now it looks at the libraries
 * mapped into the process. A real doctor runs in a child JVM with and without jemalloc preloaded.
 */
class DoctorAllocatorTest {
  /** Where Debian's libjemalloc2 puts the library (the launcher and .ci/run install it as root). */
  private static final List<Path> JEMALLOC =
      List.of(
          Path.of("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"),
          Path.of("/lib/x86_64-linux-gnu/libjemalloc.so.2"),
          Path.of("/usr/lib/aarch64-linux-gnu/libjemalloc.so.2"));

  @Test
  void glibcIsNamedWithItsArenaLimitEvenWhenTheVariableClaimsJemalloc() throws Exception {
    String line =
        doctorAllocator(Map.of("IMGD_ALLOCATOR_IN_USE", "jemalloc", "MALLOC_ARENA_MAX", "2"));
    assertThat(line).startsWith("glibc").contains("MALLOC_ARENA_MAX=2").doesNotContain("jemalloc");
  }

  @Test
  void preloadedJemallocIsNamed() throws Exception {
    Optional<Path> jemalloc = JEMALLOC.stream().filter(Files::isRegularFile).findFirst();
    assumeTrue(jemalloc.isPresent(), "libjemalloc2 is not installed");
    String line = doctorAllocator(Map.of("LD_PRELOAD", jemalloc.get().toString()));
    assertThat(line).startsWith("jemalloc").contains("libjemalloc");
  }

  /** The allocator line of {@code imgd doctor} run with {@code env} added to this environment. */
  private static String doctorAllocator(Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(ChildServe.imgd(List.of(), "doctor"));
    pb.environment().remove("LD_PRELOAD");
    pb.environment().remove("MALLOC_ARENA_MAX");
    pb.environment().remove("IMGD_ALLOCATOR_IN_USE");
    pb.environment().put("IMGD_LIBVIPS", System.getProperty("imgd.libvips"));
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    Process doctor = pb.start();
    String out = new String(doctor.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(doctor.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(doctor.exitValue()).as(out).isZero();
    return out.lines()
        .filter(l -> l.startsWith("allocator:"))
        .map(l -> l.substring("allocator:".length()).strip())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no allocator line in: " + out));
  }
}
