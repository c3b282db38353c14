package dev.imgd.cli;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import dev.imgd.core.Version;
import dev.imgd.vips.VipsException;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * The imgd command. Bad input ends with a one-line reason and the exit code of its kind (the table
 * under {@code imgd --help}), never a trace.
 */
@Command(
    name = "imgd",
    // Inherited: every command takes --help (which skips its required parameters) and --version.
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description = "Safe, fast image processing on libvips.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done",
      "2:usage: an unknown command or option, a missing or bad argument, bad processing options, an"
          + " output format its file name contradicts",
      "3:refused: the image is corrupt, over a limit or in a format no libvips here handles; for"
          + " batch, any file that failed",
      "4:environment: a file not found or unwritable, a folder missing, libvips or its workers"
          + " failing, a bad setting",
      "5:compare: a gate was crossed (a new failure or crash, a pixel difference, time or memory"
          + " over its limit)"
    },
    subcommands = {
      ServeCommand.class,
      ConvertCommand.class,
      ProbeCommand.class,
      BatchCommand.class,
      SignCommand.class,
      DoctorCommand.class,
      CompareCommand.class
    })
public final class Main implements Runnable {
  /** Exit code for a command line imgd cannot follow (picocli's own for parse errors). */
  static final int EXIT_USAGE = 2;

  /** Exit code for an image imgd refuses (corrupt data, limits, unsupported format). */
  static final int EXIT_REFUSED = 3;

  /** Exit code for an environment problem (files, folders, libvips, workers, settings). */
  static final int EXIT_ENVIRONMENT = 4;

  /** Exit code for a comparison that crossed one of its gates. */
  static final int EXIT_GATE = 5;

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    return run(
        new PrintWriter(System.out, true, Charset.defaultCharset()),
        new PrintWriter(System.err, true, Charset.defaultCharset()),
        args);
  }

  static int run(PrintWriter err, String... args) {
    return run(new PrintWriter(System.out, true, Charset.defaultCharset()), err, args);
  }

  /** Runs a command with its output and its errors on the given writers. */
  static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    Objects.requireNonNull(cli.getSubcommands().get("serve"))
        .getCommandSpec()
        .usageMessage()
        .footer(ServeCommand.settingsTable());
    return execute(cli, err, args);
  }

  /**
   * Runs {@code cli} the way of the imgd command, which imgd-bench's commands share: an exception
   * ends with one line on {@code err} and the exit code of its kind.
   */
  public static int execute(CommandLine cli, PrintWriter err, String... args) {
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("imgd: " + oneLine(e));
      return exitCode(e);
    });
    return cli.execute(args);
  }

  static int exitCode(Throwable e) {
    if (e instanceof ImgdException ie) {
      return ie.code() == ErrorCode.BAD_OPTIONS ? EXIT_USAGE : EXIT_REFUSED;
    }
    return EXIT_ENVIRONMENT;
  }

  /** The reason in words: the file and what is wrong with it, the error code of a refusal. */
  static String oneLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof ImgdException ie) {
      message = ie.code().code() + ": " + message;
    } else if (e instanceof VipsException) {
      message = "libvips: " + message;
    } else if (e instanceof NoSuchFileException f) {
      message = f.getFile() + ": not found";
    } else if (e instanceof AccessDeniedException f) {
      message = f.getFile() + ": permission denied";
    } else if (e instanceof FileSystemException f) {
      message = f.getFile() + ": " + (f.getReason() == null ? "cannot be used" : f.getReason());
    }
    return message.replace('\n', ' ');
  }

  /** The version the build wrote (one place: {@link Version}). */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"imgd " + Version.get()};
    }
  }
}
