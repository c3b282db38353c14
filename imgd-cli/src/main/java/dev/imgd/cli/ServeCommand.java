package dev.imgd.cli;

import dev.imgd.server.ImgdServer;
import dev.imgd.server.ServerSettings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** The HTTP server, configured by environment variables (see {@code imgd serve --help}). */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Run the imgd HTTP server. Every setting is an environment variable (or a line of the"
          + " properties file named by IMGD_CONFIG); defaults are safe for a local trial.",
      ""
    })
final class ServeCommand implements Callable<Integer> {

  /** The settings table printed under --help (a picocli format string: % is escaped). */
  static String settingsTable() {
    StringBuilder b = new StringBuilder("%nSettings (default in brackets):%n");
    for (ServerSettings.Setting s : ServerSettings.describe()) {
      String line =
          "  %-26s %s [%s]"
              .formatted(
                  s.name(),
                  s.description(),
                  s.defaultValue().isEmpty() ? "none" : s.defaultValue());
      b.append(line.replace("%", "%%")).append("%n");
    }
    return b.toString();
  }

  @Override
  public Integer call() throws Exception {
    ServerSettings settings = ServerSettings.fromEnvironment();
    ImgdServer server = ImgdServer.start(settings);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server.close(); // drains requests in flight first
                  } catch (Exception e) {
                    System.err.println("imgd: shutdown: " + e.getMessage());
                  }
                },
                "imgd-shutdown"));
    server.join();
    return 0;
  }
}
