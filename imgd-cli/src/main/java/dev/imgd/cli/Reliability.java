package dev.imgd.cli;

import picocli.CommandLine;

/**
 * The reliability runners of issue 5 (docs/reliability.md): {@code imgd hostile}, {@code imgd
 * overload} and {@code imgd soak}. Each starts its own server as a child process on a free loopback
 * port, measures it and its workers from /proc, and exits 1 when a pass criterion fails.
 */
final class Reliability {
  private Reliability() {}

  static void register(CommandLine cli) {
    cli.addSubcommand(new HostileCommand());
    cli.addSubcommand(new OverloadCommand());
    cli.addSubcommand(new SoakCommand());
  }
}
