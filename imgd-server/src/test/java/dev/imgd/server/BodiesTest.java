package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.imgd.server.settings.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 15 over real HTTP on loopback, one test per finding: uploads that filled the heap (FM-16),
 * stalled uploads and slowloris heads that held connections (FM-10), no cap on connections, and an
 * aborted upload logged and counted as a 500 (FM-12). Raw sockets, so that bytes can be dripped.
 */
class BodiesTest {
  private static final int MIB = 1 << 20;

  static ImgdServer start(Map<String, String> extra) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("IMGD_BIND", "127.0.0.1:0");
    env.put("IMGD_LOCAL_ROOT", "");
    env.put("IMGD_MODE", "in-process");
    env.put("IMGD_WORKERS", "2");
    env.put("IMGD_LIBVIPS_SYSTEM", "off");
    env.put("IMGD_TIMEOUT", "30");
    env.putAll(extra);
    return ImgdServer.start(Settings.from(env));
  }

  /** A POST declaring a 45 MiB body, of which it sends {@code sent} bytes and then stalls. */
  static Socket stalledUpload(ImgdServer s, int sent) throws IOException {
    Socket socket = new Socket("127.0.0.1", s.port());
    OutputStream out = socket.getOutputStream();
    out.write(
        ("POST /process?rs:fit:100:0 HTTP/1.1\r\nHost: imgd\r\nContent-Length: %d\r\n\r\n"
                .formatted(45 * MIB))
            .getBytes(StandardCharsets.US_ASCII));
    out.write(new byte[sent]);
    out.flush();
    return socket;
  }

  /** The status line's code of the answer on a socket, waiting up to {@code wait}. */
  static int status(Socket socket, Duration wait) throws IOException {
    socket.setSoTimeout((int) wait.toMillis());
    InputStream in = socket.getInputStream();
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
      line.append((char) c);
    }
    Matcher m = Pattern.compile("HTTP/1\\.1 (\\d{3}) .*\\s*").matcher(line);
    if (!m.matches()) {
      throw new IOException("no status line: '" + line + "'");
    }
    return Integer.parseInt(m.group(1));
  }

  static String metrics(ImgdServer s) throws Exception {
    return new String(ServerTest.get(s, "/metrics").body(), StandardCharsets.UTF_8);
  }

  static double metric(ImgdServer s, String name) throws Exception {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(metrics(s));
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  static void awaitMetric(ImgdServer s, String name, double value) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (metric(s, name) != value && System.nanoTime() < until) {
      Thread.sleep(50);
    }
    assertThat(metric(s, name)).as(name).isEqualTo(value);
  }

  /**
   * Finding "uploads fill the heap" (FM-10, FM-16): stalled 45 MiB uploads hold room for their
   * declared length from the buffer budget before a byte is read, the memory tier sees it, and each
   * is cut with 408 once a rate window passes under the minimum rate, its room given back at once.
   * Before, the bodies were read whole with no deadline, the tier stayed normal, and the
   * connections stayed open while a byte came every few seconds.
   */
  @Test
  void stalledUploadsAreCutWith408AndTheirRoomFreed() throws Exception {
    try (ImgdServer s =
        start(
            Map.of(
                "IMGD_MIN_BODY_RATE",
                "65536",
                "IMGD_BODY_RATE_WINDOW",
                "1.5",
                "IMGD_MAX_BODY_SIZE",
                Integer.toString(50 * MIB),
                "IMGD_MAX_BUFFERED_BYTES",
                Integer.toString(150 * MIB)))) {
      List<Socket> uploads = new ArrayList<>();
      ExecutorService drip = Executors.newVirtualThreadPerTaskExecutor();
      try {
        for (int i = 0; i < 3; i++) {
          Socket u = stalledUpload(s, MIB);
          uploads.add(u);
          drip.submit(() -> dripUntilClosed(u));
        }
        awaitMetric(s, "imgd_memory_buffered_bytes", 3 * 45.0 * MIB);
        awaitMetric(s, "imgd_memory_tier", 2); // 135 of 150 MiB held: shedding
        long t0 = System.nanoTime();
        for (Socket u : uploads) {
          assertThat(status(u, Duration.ofSeconds(10))).isEqualTo(408);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        awaitMetric(s, "imgd_memory_buffered_bytes", 0);
        assertThat(metrics(s)).contains("reason=\"body_timeout\"");
      } finally {
        drip.shutdownNow();
        for (Socket u : uploads) {
          u.close();
        }
      }
    }
  }

  /** One byte every 200 ms: enough to keep an idle timeout away, far under the minimum rate. */
  private static void dripUntilClosed(Socket socket) {
    try {
      while (!socket.isClosed()) {
        Thread.sleep(200);
        socket.getOutputStream().write(0);
      }
    } catch (IOException | InterruptedException e) {
      // cut or closed: done
    }
  }

  /**
   * Finding "uploads fill the heap" (FM-16): with the buffer budget taken by stalled uploads, a
   * further upload waits for room within the queue timeout and then gets 503 + Retry-After without
   * its body being read.
   */
  @Test
  void uploadBeyondTheBufferBudgetGets503() throws Exception {
    try (ImgdServer s =
            start(
                Map.of(
                    "IMGD_MAX_BODY_SIZE",
                    Integer.toString(50 * MIB),
                    "IMGD_MAX_BUFFERED_BYTES",
                    Integer.toString(100 * MIB),
                    "IMGD_MIN_BODY_RATE",
                    "0",
                    "IMGD_QUEUE_TIMEOUT",
                    "1"));
        Socket a = stalledUpload(s, 1000);
        Socket b = stalledUpload(s, 1000)) {
      awaitMetric(s, "imgd_memory_buffered_bytes", 2 * 45.0 * MIB);
      try (Socket c = stalledUpload(s, 1000)) {
        assertThat(status(c, Duration.ofSeconds(5))).isEqualTo(503);
      }
      assertThat(metric(s, "imgd_memory_buffered_bytes")).isEqualTo(2 * 45.0 * MIB);
    }
  }

  /**
   * Finding "an aborted upload is an ERROR and a 500" (FM-12): a client that closes mid-body is a
   * client outcome, counted under 4xx, with no ERROR or WARN line and no stack trace.
   */
  @Test
  void abortedUploadIsAQuietClientOutcome() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    try (ImgdServer s = start(Map.of())) {
      root.addAppender(log); // after the start-up warnings
      for (int i = 0; i < 3; i++) {
        stalledUpload(s, 100_000).close();
      }
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!metrics(s).contains("reason=\"body_incomplete\"") && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      String m = metrics(s);
      assertThat(m).contains("reason=\"body_incomplete\"");
      assertThat(m).contains("status=\"400\"").doesNotContain("status=\"500\"");
      // The three uploads end one after the other: the last may still hold its room here.
      awaitMetric(s, "imgd_memory_buffered_bytes", 0);
    } finally {
      root.detachAppender(log);
    }
    assertThat(log.list)
        .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN) || e.getThrowableProxy() != null)
        .isEmpty();
  }

  /**
   * Finding "slowloris" (FM-10): a head dripped one header line at a time is cut at the header
   * timeout, although each line comes well within the idle timeout; a keep-alive connection that
   * sends whole heads lives on past it.
   */
  @Test
  void slowlorisHeadIsCutAtTheHeaderTimeout() throws Exception {
    try (ImgdServer s = start(Map.of("IMGD_HEADER_TIMEOUT", "1"));
        Socket loris = new Socket("127.0.0.1", s.port())) {
      OutputStream out = loris.getOutputStream();
      out.write("GET /health HTTP/1.1\r\nHost: imgd\r\n".getBytes(StandardCharsets.US_ASCII));
      long t0 = System.nanoTime();
      assertThatThrownBy(
              () -> {
                for (int i = 0; i < 40; i++) {
                  Thread.sleep(250);
                  out.write("X-Drip: 1\r\n".getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                }
              })
          .isInstanceOf(IOException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4));
      assertThat(metrics(s)).contains("reason=\"header_timeout\"");

      try (Socket keepAlive = new Socket("127.0.0.1", s.port())) {
        for (int i = 0; i < 8; i++) {
          keepAlive
              .getOutputStream()
              .write(
                  "GET /ready HTTP/1.1\r\nHost: imgd\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          assertThat(status(keepAlive, Duration.ofSeconds(5))).isEqualTo(200);
          skipBody(keepAlive);
          Thread.sleep(300);
        }
      }
    }
  }

  /** Reads the rest of an answer's head and its Content-Length body. */
  private static void skipBody(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n") && !head.toString().equals("\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("closed");
      }
      head.append((char) c);
    }
    Matcher m = Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
    if (m.find()) {
      in.readNBytes(Integer.parseInt(m.group(1)));
    }
  }

  /** Finding "no cap on connections": beyond IMGD_MAX_CONNECTIONS a connection is not served. */
  @Test
  void connectionsBeyondTheCapWaitToBeAccepted() throws Exception {
    try (ImgdServer s = start(Map.of("IMGD_MAX_CONNECTIONS", "2"));
        Socket idle1 = new Socket("127.0.0.1", s.port());
        Socket idle2 = new Socket("127.0.0.1", s.port())) {
      Thread.sleep(300); // both accepted
      try (Socket third = new Socket("127.0.0.1", s.port())) {
        third
            .getOutputStream()
            .write("GET /ready HTTP/1.1\r\nHost: imgd\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> status(third, Duration.ofSeconds(1)))
            .isInstanceOf(SocketTimeoutException.class);
        idle1.close();
        assertThat(status(third, Duration.ofSeconds(5))).isEqualTo(200);
      }
    }
  }
}
