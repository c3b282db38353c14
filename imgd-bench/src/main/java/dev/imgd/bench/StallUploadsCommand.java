package dev.imgd.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue 15, "uploads fill the heap": stalled uploads against a server child with a small heap. Each
 * upload declares {@code --size-mib}, sends all but its last KiB at once, then drips one byte every
 * {@code --drip-seconds}. Before the fix, 20 x 45 MiB held 920 MiB of heap for over 40 s and a
 * -Xmx768m server threw OutOfMemoryError. Now each is either cut with 408 (under the minimum body
 * rate, or past the deadline) or refused with 503 before its body is read (the buffer budget is
 * full), and the heap stays within the budget.
 */
@Command(
    name = "stall-uploads",
    mixinStandardHelpOptions = true,
    description = {
      "Stalled uploads against a fresh server with a small heap (issue 15).",
      "",
      "Starts a server (-Xmx of --heap, default settings otherwise), opens --uploads",
      "POST /process uploads at once, each sending all but its last KiB and then one",
      "byte every --drip-seconds; prints the status of each, the peak heap, RSS, bytes",
      "held for bodies and memory tier. Exit 1 when the server died or ran out of",
      "heap, an upload got no answer or a status other than 408 and 503, the bytes",
      "held passed the buffer budget, or the RSS passed the server's RSS budget."
    })
final class StallUploadsCommand implements Callable<Integer> {
  private static final int MIB = 1 << 20;

  @Option(names = "--uploads", description = "uploads at once")
  int uploads = 20;

  @Option(names = "--size-mib", description = "declared size of each upload, MiB")
  int sizeMib = 45;

  @Option(names = "--drip-seconds", description = "seconds between the dripped bytes")
  int dripSeconds = 10;

  @Option(names = "--heap-mib", description = "the server's -Xmx, MiB")
  int heapMib = 768;

  @Option(names = "--wait-seconds", description = "how long to wait for every answer")
  int waitSeconds = 120;

  /** One upload's outcome. */
  private record Outcome(int status, double seconds) {}

  @Override
  public Integer call() throws Exception {
    Report report = new Report(System.out);
    Path work = Files.createTempDirectory("imgd-stall-");
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("IMGD_MODE", "in-process");
    settings.put("IMGD_LOCAL_ROOT", "");
    settings.put("IMGD_MAX_BODY_SIZE", Long.toString((long) sizeMib * MIB + MIB));
    report.line(
        "imgd stall-uploads: %d uploads of %d MiB, all but 1 KiB at once, then a byte every %d"
            + " s; server -Xmx%dm, default body rate, deadline and buffer budget; %s",
        uploads, sizeMib, dripSeconds, heapMib, ProcTree.load());
    try (ServerProcess server =
        ServerProcess.start(
            settings, work.resolve("server.log"), List.of("-Xmx" + heapMib + "m"))) {
      Map<String, Double> m0 = server.http.metrics();
      double budget = m0.getOrDefault("imgd_memory_buffer_budget_bytes", 0.0);
      double rssBudget = m0.getOrDefault("imgd_memory_rss_budget_bytes", 0.0);
      AtomicLong peakHeap = new AtomicLong();
      AtomicLong peakRss = new AtomicLong();
      AtomicLong peakHeld = new AtomicLong();
      AtomicLong maxTier = new AtomicLong();
      Thread sampler =
          Thread.ofPlatform()
              .daemon()
              .start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                  peakRss.accumulateAndGet(server.sample().rss(), Math::max);
                  Map<String, Double> m = server.http.metrics();
                  peakHeap.accumulateAndGet(
                      m.getOrDefault("imgd_memory_heap_bytes", 0.0).longValue(), Math::max);
                  peakHeld.accumulateAndGet(
                      m.getOrDefault("imgd_memory_buffered_bytes", 0.0).longValue(), Math::max);
                  maxTier.accumulateAndGet(
                      m.getOrDefault("imgd_memory_tier", 0.0).longValue(), Math::max);
                  try {
                    Thread.sleep(200);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });
      long t0 = System.nanoTime();
      List<Thread> threads = new ArrayList<>();
      Outcome[] outcomes = new Outcome[uploads];
      for (int i = 0; i < uploads; i++) {
        int n = i;
        threads.add(Thread.ofVirtual().start(() -> outcomes[n] = upload(server.port, t0)));
      }
      for (Thread t : threads) {
        t.join();
      }
      sampler.interrupt();
      sampler.join();
      boolean alive = server.alive();
      String oom = server.logTail(2000).contains("OutOfMemoryError") ? "yes" : "no";

      report.line("");
      report.line("| upload | status | answered after |");
      report.line("|---|---|---|");
      for (int i = 0; i < uploads; i++) {
        report.line(
            "| %d | %s | %.1f s |",
            i + 1,
            outcomes[i].status() == 0 ? "no answer" : outcomes[i].status(),
            outcomes[i].seconds());
      }
      report.line("");
      report.line(
          "Peak heap used (garbage included) %s of -Xmx%dm; peak RSS %s of a %s RSS budget; peak bytes held for bodies %s of a %s"
              + " buffer budget; highest memory tier %d (0 normal, 1 reduced, 2 shedding);"
              + " OutOfMemoryError in the log: %s",
          Report.mib(peakHeap.get()),
          heapMib,
          Report.mib(peakRss.get()),
          Report.mib((long) rssBudget),
          Report.mib(peakHeld.get()),
          Report.mib((long) budget),
          maxTier.get(),
          oom);
      report.line("");
      report.line("Criteria:");
      report.criterion(alive && oom.equals("no"), "the server stayed up, no OutOfMemoryError");
      long unexpected =
          java.util.Arrays.stream(outcomes)
              .filter(o -> o.status() != 408 && o.status() != 503)
              .count();
      report.criterion(
          unexpected == 0,
          "every upload cut with 408 or refused with 503 before its body was read (%d other)"
              .formatted(unexpected));
      report.criterion(
          peakHeld.get() <= budget,
          "bytes held for bodies within the buffer budget (%s)"
              .formatted(Report.mib((long) budget)));
      report.criterion(
          peakRss.get() <= rssBudget,
          "RSS within the server's RSS budget (%s)".formatted(Report.mib((long) rssBudget)));
      return report.verdict("imgd stall-uploads");
    }
  }

  /** One stalled upload: its status (0: none) and when it came, from the start of all. */
  private Outcome upload(int port, long t0) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      long size = (long) sizeMib * MIB;
      // The writer runs apart: a server that refuses the upload stops reading its body.
      Thread writer =
          Thread.ofVirtual()
              .start(() -> {
                try {
                  OutputStream out = socket.getOutputStream();
                  out.write(
                      ("POST /process?rs:fit:100:0 HTTP/1.1\r\nHost: imgd\r\n"
                              + "Content-Length: "
                              + size
                              + "\r\n\r\n")
                          .getBytes(StandardCharsets.US_ASCII));
                  byte[] chunk = new byte[64 << 10];
                  for (long sent = 0; sent < size - 1024; sent += chunk.length) {
                    out.write(chunk, 0, (int) Math.min(chunk.length, size - 1024 - sent));
                  }
                  out.flush();
                  while (true) {
                    Thread.sleep(Duration.ofSeconds(dripSeconds));
                    out.write(0);
                    out.flush();
                  }
                } catch (IOException | InterruptedException e) {
                  // cut, refused or done
                }
              });
      socket.setSoTimeout(waitSeconds * 1000);
      int status = status(socket.getInputStream());
      writer.interrupt();
      return new Outcome(status, (System.nanoTime() - t0) / 1e9);
    } catch (IOException e) {
      return new Outcome(0, (System.nanoTime() - t0) / 1e9);
    }
  }

  private static int status(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
      line.append((char) c);
    }
    String[] parts = line.toString().split(" ");
    return parts.length > 1 && parts[0].startsWith("HTTP/") ? Integer.parseInt(parts[1]) : 0;
  }
}
