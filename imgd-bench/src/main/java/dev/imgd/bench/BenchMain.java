package dev.imgd.bench;

import dev.imgd.cli.Main;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * imgd's harness, apart from the product: the benchmarks and the reliability runners of
 * docs/reliability.md. The runners start the product's {@code imgd serve} as a child process on a
 * free loopback port, measure it and its workers from /proc, and exit 1 when a pass criterion
 * fails. The launcher runs these commands as {@code ./imgd bench-convert}, {@code ./imgd hostile}
 * and so on.
 */
@Command(
    name = "imgd",
    mixinStandardHelpOptions = true,
    versionProvider = BenchMain.Version.class,
    description =
        "imgd's benchmarks and reliability runners (imgd-bench, not part of the product).",
    subcommands = {
      BenchConvertCommand.class,
      BenchIsolationCommand.class,
      BenchMemoryCommand.class,
      HostileCommand.class,
      OverloadCommand.class,
      SoakCommand.class,
      StallUploadsCommand.class
    })
public final class BenchMain implements Runnable {
  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  /** The product's version, which the harness shares. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"imgd-bench " + dev.imgd.core.Version.get()};
    }
  }

  public static void main(String[] args) {
    System.exit(
        Main.execute(new CommandLine(new BenchMain()), new PrintWriter(System.err, true), args));
  }
}
