package dev.imgd.cli;

import dev.imgd.server.ImgdServer;
import dev.imgd.server.settings.Setting;
import dev.imgd.server.settings.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The HTTP server, configured by environment variables (see {@code imgd serve --help}). Every
 * setting is parsed and checked before anything starts: a bad one ends the command at once with one
 * line naming it.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Run the imgd HTTP server. Every setting is an environment variable (or a line of the"
          + " properties file named by IMGD_CONFIG); defaults are safe for a local trial.",
      ""
    })
final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--print-settings",
      description = "Print the effective settings (secrets masked) and exit.")
  boolean printSettings;

  @Option(
      names = "--print-jvm-options",
      description =
          "Print the server JVM's heap and GC options for these settings and exit (the launcher"
              + " passes them on unless IMGD_JAVA_OPTS sizes the heap).")
  boolean printJvmOptions;

  /** The settings table printed under --help (a picocli format string: % is escaped). */
  static String settingsTable() {
    StringBuilder b = new StringBuilder("%nSettings:%n");
    for (Setting<?> s : Settings.table()) {
      String about =
          s.launcher()
              ? s.help() + ". Read by the launcher or the logging set-up."
              : "%s. Allowed: %s. Default: %s."
                  .formatted(
                      s.help(),
                      s.type().allowed(),
                      s.defaultValue().isEmpty() ? "none" : s.defaultValue());
      b.append("  ").append(s.name());
      if (s.imgproxyName() != null) {
        b.append("  (imgproxy: ").append(s.imgproxyName()).append(")");
      }
      b.append("%n");
      wrap(about, 74)
          .forEach(line -> b.append("      ").append(line.replace("%", "%%")).append("%n"));
    }
    return b.toString();
  }

  private static final Pattern TRAILING_SPACES = Pattern.compile(" +$");

  /** Words in lines of at most {@code width} characters (picocli would wrap without indent). */
  private static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    // Trailing spaces make no words; spaces inside do (empty ones), as they always did.
    for (String word : TRAILING_SPACES.matcher(text).replaceFirst("").split(" ", -1)) {
      if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line.setLength(0);
      }
      line.append(line.isEmpty() ? "" : " ").append(word);
    }
    lines.add(line.toString());
    return lines;
  }

  @Override
  public Integer call() throws Exception {
    Settings settings = Settings.fromEnvironment(); // checked before libvips loads or ports open
    if (printJvmOptions) {
      spec.commandLine().getOut().println(String.join(" ", ImgdServer.jvmOptions(settings)));
      spec.commandLine().getOut().flush();
      return 0;
    }
    if (printSettings) {
      settings.warnings().forEach(w -> spec.commandLine().getErr().println("imgd: " + w));
      settings.describe().forEach(spec.commandLine().getOut()::println);
      spec.commandLine().getOut().flush();
      return 0;
    }
    ImgdServer server = ImgdServer.start(settings);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server.close(); // drains requests in flight first
                  } catch (Exception e) {
                    System.err.println(
                        "imgd: shutdown: " + e); // the type too: some have no message
                  }
                },
                "imgd-shutdown"));
    server.join();
    return 0;
  }
}
