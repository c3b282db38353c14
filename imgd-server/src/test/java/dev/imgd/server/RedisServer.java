package dev.imgd.server;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A real redis-server (Debian's) for the tests, on a free loopback port, with its files in a
 * temporary folder, no persistence; {@link #kill()} sends SIGKILL to the very process it started.
 */
final class RedisServer implements AutoCloseable {
  final int port;
  private final Path dir;
  private @Nullable Process process;

  private RedisServer(int port, Path dir) {
    this.port = port;
    this.dir = dir;
  }

  static RedisServer start(Path dir) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    RedisServer redis = new RedisServer(port, dir);
    redis.start();
    return redis;
  }

  /** Starts it (again, on the same port) and waits until it answers PING. */
  void start() throws Exception {
    process =
        new ProcessBuilder(
                "redis-server",
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
            .start();
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      try {
        if ("PONG".equals(command("PING"))) {
          return;
        }
      } catch (IOException notYet) {
        if (System.nanoTime() > until || !process.isAlive()) {
          throw new IllegalStateException("redis-server did not start on port " + port, notYet);
        }
        Thread.sleep(50);
      }
    }
  }

  /** SIGKILL, as a crash or an OOM kill would end it. */
  void kill() throws InterruptedException {
    Process p = process;
    if (p != null) {
      p.destroyForcibly(); // SIGKILL on Linux
      p.waitFor();
      process = null;
    }
  }

  String url() {
    return "redis://127.0.0.1:" + port;
  }

  /**
   * One command over a new connection: a simple string, an integer, a bulk string (as text), an
   * array (as a List), or null.
   */
  @Nullable Object command(String... args) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      StringBuilder req = new StringBuilder("*").append(args.length).append("\r\n");
      for (String a : args) {
        byte[] b = a.getBytes(StandardCharsets.ISO_8859_1);
        req.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
      }
      out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return read(new BufferedInputStream(s.getInputStream()));
    }
  }

  private static @Nullable Object read(InputStream in) throws IOException {
    int type = in.read();
    String line = line(in);
    return switch (type) {
      case '+' -> line;
      case '-' -> throw new IOException(line);
      case ':' -> Long.parseLong(line);
      case '$' -> {
        int n = Integer.parseInt(line);
        if (n < 0) {
          yield null;
        }
        String bulk = new String(in.readNBytes(n), StandardCharsets.ISO_8859_1);
        line(in);
        yield bulk;
      }
      case '*' -> {
        List<@Nullable Object> items = new ArrayList<>();
        for (int i = Integer.parseInt(line); i > 0; i--) {
          items.add(read(in));
        }
        yield items;
      }
      default -> throw new IOException("not a RESP reply: " + type);
    };
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c = in.read(); c != '\r'; c = in.read()) {
      if (c < 0) {
        throw new IOException("closed");
      }
      b.append((char) c);
    }
    in.read(); // \n
    return b.toString();
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
