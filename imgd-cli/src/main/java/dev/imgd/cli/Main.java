package dev.imgd.cli;

import dev.imgd.core.ImgdException;
import dev.imgd.vips.VipsException;
import java.nio.charset.Charset;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The imgd command. Bad input ends with a one-line reason and a non-zero exit, never a trace. */
@Command(
    name = "imgd",
    mixinStandardHelpOptions = true,
    version = "imgd 0.1.0",
    description = "Safe, fast image processing on libvips.",
    subcommands = {
      ServeCommand.class,
      ConvertCommand.class,
      ProbeCommand.class,
      DoctorCommand.class
    })
public final class Main implements Runnable {
  /** Exit code for an image or request imgd refuses (bad input, limits, corrupt data). */
  static final int EXIT_REFUSED = 2;

  /** Exit code for an environment problem (libvips missing, I/O). */
  static final int EXIT_ENVIRONMENT = 3;

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    return run(new java.io.PrintWriter(System.err, true, Charset.defaultCharset()), args);
  }

  static int run(java.io.PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Main());
    Objects.requireNonNull(cli.getSubcommands().get("serve"))
        .getCommandSpec()
        .usageMessage()
        .footer(ServeCommand.settingsTable());
    return execute(cli, err, args);
  }

  /**
   * Runs {@code cli} the way of the imgd command, which imgd-bench's commands share: an exception
   * ends with one line on {@code err} and {@link #EXIT_REFUSED} or {@link #EXIT_ENVIRONMENT}.
   */
  public static int execute(CommandLine cli, java.io.PrintWriter err, String... args) {
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("imgd: " + oneLine(e));
      return e instanceof ImgdException ? EXIT_REFUSED : EXIT_ENVIRONMENT;
    });
    return cli.execute(args);
  }

  static String oneLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof ImgdException ie) {
      message = ie.code().code() + ": " + message;
    } else if (e instanceof VipsException) {
      message = "libvips: " + message;
    } else if (e instanceof java.io.IOException) {
      message = "I/O: " + message;
    }
    return message.replace('\n', ' ');
  }
}
