package dev.imgd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code imgd serve} in a child JVM on this test's class path: for the tests where the process's
 * own environment, command line or exit is what is checked.
 */
final class ChildServe {
  private ChildServe() {}

  /** The command, with {@code jvmOptions} before the class path and {@code args} after serve. */
  static List<String> command(List<String> jvmOptions, String... args) {
    List<String> command = imgd(jvmOptions, "serve");
    command.addAll(List.of(args));
    return command;
  }

  /**
   * Any imgd command in a child JVM: {@code jvmOptions} before the class path, then {@code args}.
   */
  static List<String> imgd(List<String> jvmOptions, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.imgd.cli.Main"));
    command.addAll(List.of(args));
    return command;
  }

  /** How a child command ended. */
  record Exit(int code, String err, String out) {}

  /** Starts {@code pb} and waits for it; the test fails if it still runs after {@code seconds}. */
  static Exit run(ProcessBuilder pb, int seconds) throws Exception {
    Process p = pb.start();
    try {
      assertThat(p.waitFor(seconds, TimeUnit.SECONDS))
          .as("%s still runs after %d s", pb.command().subList(4, pb.command().size()), seconds)
          .isTrue();
      return new Exit(
          p.exitValue(),
          new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8),
          new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
    }
  }
}
