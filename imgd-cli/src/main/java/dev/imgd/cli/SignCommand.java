package dev.imgd.cli;

import dev.imgd.server.ImgdServer;
import dev.imgd.server.settings.Settings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Signs a URL path with the server's key and salt, read from the settings as serve reads them. */
@Command(
    name = "sign",
    description = {
      "Print the signed URL path for PATH, as imgproxy signs it, with the key and salt of the"
          + " settings (IMGD_KEY and IMGD_SALT or IMGPROXY_KEY and IMGPROXY_SALT, the first pair;"
          + " IMGD_SIGNATURE_SIZE). Append it to the server's address.",
      "Example: imgd sign rs:fit:300:0/plain/local:///photo.jpg@webp"
    })
final class SignCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "PATH",
      description = "the options and the source, e.g. rs:fit:300:0/plain/local:///photo.jpg")
  String path;

  @Override
  public Integer call() {
    String p = path.startsWith("/") ? path : "/" + path;
    spec.commandLine().getOut().println(ImgdServer.signedPath(Settings.fromEnvironment(), p));
    return 0;
  }
}
