package dev.imgd.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
}
