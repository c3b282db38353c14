package dev.imgd.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A loopback HTTP/1.1 client for the runners: every call returns an answer, never throws. */
final class Http implements AutoCloseable {
  private static final Pattern CODE = Pattern.compile("\"code\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern DETAIL =
      Pattern.compile("\"detail\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*\\})?) (\\S+)$");

  private final URI base;
  private final HttpClient client;

  Http(URI base) {
    this.base = base;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  /**
   * One answer.
   *
   * @param status HTTP status, or 0 when no answer came (then {@code error} says why)
   * @param code the problem+json "code" of an error answer, or "-"
   * @param contentType the Content-Type header, or ""
   * @param body the body (empty when none)
   * @param nanos time from sending to the whole body received
   * @param retryAfter the Retry-After header, or null
   * @param error why no answer came, or null
   */
  record Answer(
      int status,
      String code,
      String contentType,
      byte[] body,
      long nanos,
      String retryAfter,
      String error) {
    double ms() {
      return nanos / 1e6;
    }

    /** "200", "422 corrupt_image", or "no answer (...)" */
    String label() {
      if (status == 0) {
        return "no answer (" + error + ")";
      }
      return code.equals("-") ? Integer.toString(status) : status + " " + code;
    }
  }

  Answer get(String pathAndQuery, Duration timeout) {
    return send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(timeout).GET().build());
  }

  Answer post(String pathAndQuery, byte[] body, Duration timeout) {
    return send(
        HttpRequest.newBuilder(base.resolve(pathAndQuery))
            .timeout(timeout)
            .header("Content-Type", "application/octet-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  private Answer send(HttpRequest request) {
    long t0 = System.nanoTime();
    try {
      HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
      long nanos = System.nanoTime() - t0;
      String type = r.headers().firstValue("Content-Type").orElse("");
      String code = "-";
      if (type.contains("json") && r.statusCode() >= 400) {
        Matcher m = CODE.matcher(new String(r.body(), StandardCharsets.UTF_8));
        if (m.find()) {
          code = m.group(1);
        }
      }
      return new Answer(
          r.statusCode(),
          code,
          type,
          r.body(),
          nanos,
          r.headers().firstValue("Retry-After").orElse(null),
          null);
    } catch (IOException e) {
      return new Answer(
          0, "-", "", new byte[0], System.nanoTime() - t0, null, e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(0, "-", "", new byte[0], System.nanoTime() - t0, null, "interrupted");
    }
  }

  /** The problem+json "detail" of an error answer, or "". */
  static String detail(Answer a) {
    Matcher m = DETAIL.matcher(new String(a.body(), StandardCharsets.UTF_8));
    return m.find() ? m.group(1) : "";
  }

  /**
   * The server's Prometheus metrics as "name{labels}" to value; empty when /metrics does not
   * answer.
   */
  Map<String, Double> metrics() {
    Answer a = get("/metrics", Duration.ofSeconds(10));
    Map<String, Double> m = new HashMap<>();
    if (a.status() != 200) {
      return m;
    }
    for (String line : new String(a.body(), StandardCharsets.UTF_8).split("\n")) {
      if (line.startsWith("#")) {
        continue;
      }
      Matcher s = SAMPLE.matcher(line);
      if (s.matches()) {
        try {
          m.put(s.group(1), Double.parseDouble(s.group(2)));
        } catch (NumberFormatException e) {
          // NaN and friends parse; anything else is skipped
        }
      }
    }
    return m;
  }

  /** Sum of every sample of a metric whose name (labels ignored) is {@code name}. */
  static double sum(Map<String, Double> metrics, String name) {
    double total = 0;
    for (Map.Entry<String, Double> e : metrics.entrySet()) {
      String k = e.getKey();
      if (k.equals(name) || k.startsWith(name + "{")) {
        total += e.getValue();
      }
    }
    return total;
  }

  /**
   * The q-quantile (0..1) of a Prometheus histogram over the requests between two scrapes, as the
   * upper bound of the bucket it falls in; -1 when there were none.
   *
   * @param labels the labels before "le", e.g. {@code status="503"}
   */
  static double quantile(
      Map<String, Double> before, Map<String, Double> after, String name, String labels, double q) {
    String prefix = name + "_bucket{" + labels + ",le=\"";
    java.util.TreeMap<Double, Double> cumulative = new java.util.TreeMap<>();
    for (Map.Entry<String, Double> e : after.entrySet()) {
      if (e.getKey().startsWith(prefix)) {
        String le = e.getKey().substring(prefix.length(), e.getKey().length() - 2);
        double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
        cumulative.put(bound, e.getValue() - before.getOrDefault(e.getKey(), 0.0));
      }
    }
    if (cumulative.isEmpty() || cumulative.lastEntry().getValue() <= 0) {
      return -1;
    }
    double rank = q * cumulative.lastEntry().getValue();
    for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
      if (e.getValue() >= rank) {
        return e.getKey();
      }
    }
    return Double.POSITIVE_INFINITY;
  }

  @Override
  public void close() {
    client.close();
  }
}
