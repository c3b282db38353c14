package dev.imgd.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** The HTTP server. Until it lands (issue 7), serve checks the engine and says so. */
@Command(name = "serve", description = "Run the imgd HTTP server on its embedded defaults.")
final class ServeCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    int rc = new DoctorCommand().call();
    System.out.println();
    System.out.println(
        "imgd: the HTTP server is not built yet; the engine above is ready."
            + " Try: ./imgd convert IN OUT --width 720, or ./imgd probe FILE");
    return rc;
  }
}
