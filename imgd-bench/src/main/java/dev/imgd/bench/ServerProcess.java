package dev.imgd.bench;

import dev.imgd.cli.Main;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The product's {@code imgd serve} as a child process of this JVM, on a free loopback port, with
 * its log in a file. The server is only trusted once this very process listens on the port (checked
 * in /proc) and answers /health, so a port taken by someone else between the pick and the bind is
 * noticed and another one tried.
 */
final class ServerProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  final Process process;
  final int port;
  final Path log;
  final Map<String, String> settings;
  final Http http;

  private ServerProcess(Process process, int port, Path log, Map<String, String> settings) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.settings = settings;
    this.http = new Http(URI.create("http://127.0.0.1:" + port));
  }

  /** Starts the server with these IMGD_* settings over the inherited environment. */
  static ServerProcess start(Map<String, String> settings, Path log) throws Exception {
    return start(settings, log, List.of());
  }

  /** As {@link #start(Map, Path)}, with options for the server's JVM (e.g. -Xmx768m). */
  static ServerProcess start(Map<String, String> settings, Path log, List<String> jvmOptions)
      throws Exception {
    Exception last = null;
    for (int attempt = 1; attempt <= 3; attempt++) {
      int port = freePort();
      Map<String, String> all = new LinkedHashMap<>(settings);
      all.put("IMGD_BIND", "127.0.0.1:" + port);
      List<String> command = new ArrayList<>();
      command.add(
          ProcessHandle.current()
              .info()
              .command()
              .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
      command.addAll(jvmOptions);
      command.add("--enable-native-access=ALL-UNNAMED");
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(Main.class.getName());
      command.add("serve");
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.environment().putAll(all);
      pb.redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      Process p = pb.start();
      ServerProcess s = new ServerProcess(p, port, log, Map.copyOf(all));
      try {
        s.awaitReady();
        return s;
      } catch (Exception e) {
        last = e;
        s.close();
        if (!logTail(log, 40).contains("Failed to bind")) {
          throw e;
        }
      }
    }
    throw last;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private void awaitReady() throws Exception {
    long until = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < until) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the server exited with "
                + process.exitValue()
                + " while starting:\n"
                + logTail(log, 20));
      }
      if (ProcTree.listensOn(process.pid(), port)) {
        Http.Answer a = http.get("/health", Duration.ofSeconds(5));
        if (a.status() == 200) {
          return;
        }
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the server did not become healthy in " + START_TIMEOUT);
  }

  boolean alive() {
    return process.isAlive();
  }

  ProcTree.Sample sample() {
    return process.isAlive() ? ProcTree.sample(process.toHandle()) : ProcTree.Sample.NONE;
  }

  /** The last lines of the server's log (its stdout and stderr). */
  String logTail(int lines) {
    return logTail(log, lines);
  }

  static String logTail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** SIGTERM (the server drains), then SIGKILL for the tree if it is still there after 30 s. */
  @Override
  public void close() throws InterruptedException {
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    for (ProcessHandle child : tree) {
      if (child.isAlive()) {
        child.destroyForcibly();
      }
    }
    http.close();
  }
}
