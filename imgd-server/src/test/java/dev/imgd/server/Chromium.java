package dev.imgd.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Debian's chromium, headless, driven over the DevTools protocol with the JDK's WebSocket client:
 * one page, commands answered by id, events ignored. A test that needs it fails when it is missing
 * (the launcher and .ci/run install it as root), rather than being skipped unseen.
 */
final class Chromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final String session;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

  private Chromium(Process process, Path profile, URI browser) throws Exception {
    this.process = process;
    this.profile = profile;
    this.socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .buildAsync(browser, new Listener())
            .get(30, TimeUnit.SECONDS);
    String target =
        send(null, "Target.createTarget", Map.of("url", "about:blank")).path("targetId").asText();
    this.session =
        send(null, "Target.attachToTarget", Map.of("targetId", target, "flatten", true))
            .path("sessionId")
            .asText();
  }

  /** Starts a headless chromium with a fresh profile and a window of this size. */
  static Chromium start(int width, int height) throws Exception {
    Path binary =
        Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser")
            .map(Path::of)
            .filter(Files::isExecutable)
            .findFirst()
            .orElseThrow(() ->
                new IllegalStateException(
                    "no chromium: the browser tests need Debian's chromium (apt-get install"
                        + " chromium; ./imgd test and .ci/run install it when run as root)"));
    Path profile = Files.createTempDirectory("imgd-chromium-");
    ProcessBuilder browser =
        new ProcessBuilder(
                binary.toString(),
                "--headless",
                "--no-sandbox", // the tests may run as root
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "--window-size=" + width + "," + height,
                "--user-data-dir=" + profile,
                "about:blank")
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    // The allocator the launcher gives imgd is not the browser's: chromium's zygote crashes when
    // jemalloc runs its background thread (MALLOC_CONF), and its DevTools socket then closes.
    browser.environment().remove("LD_PRELOAD");
    browser.environment().remove("MALLOC_CONF");
    Process p = browser.start();
    try {
      return new Chromium(p, profile, devToolsUrl(p));
    } catch (Exception | Error e) {
      p.destroyForcibly();
      throw e;
    }
  }

  /** The browser's DevTools address, from the line chromium prints on stderr when it listens. */
  private static URI devToolsUrl(Process p) throws Exception {
    CompletableFuture<URI> url = new CompletableFuture<>();
    StringBuilder seen = new StringBuilder();
    Thread.ofVirtual()
        .start(() -> {
          try (BufferedReader err =
              new BufferedReader(
                  new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = err.readLine()) != null; ) {
              if (line.startsWith("DevTools listening on ")) {
                url.complete(URI.create(line.substring("DevTools listening on ".length())));
              } else if (!url.isDone() && seen.length() < 4000) {
                seen.append(line).append('\n');
              }
            }
          } catch (IOException e) {
            // the process ended; reported below
          }
          url.completeExceptionally(
              new IllegalStateException("chromium did not start its DevTools: " + seen));
        });
    return url.get(60, TimeUnit.SECONDS);
  }

  /** Sends a command to the page (or the browser when {@code session} is null) and waits. */
  private JsonNode send(@Nullable String sessionId, String method, Map<String, ?> params)
      throws Exception {
    int id = ids.incrementAndGet();
    ObjectNode message = JSON.createObjectNode();
    message.put("id", id);
    message.put("method", method);
    message.set("params", JSON.valueToTree(params));
    if (sessionId != null) {
      message.put("sessionId", sessionId);
    }
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    socket.sendText(message.toString(), true).get(30, TimeUnit.SECONDS);
    JsonNode reply = answer.get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (reply.has("error")) {
      throw new IllegalStateException(method + ": " + reply.get("error"));
    }
    return reply.path("result");
  }

  /** A DevTools command on the page. */
  JsonNode command(String method, Map<String, ?> params) throws Exception {
    return send(session, method, params);
  }

  /** Sends these headers with every request of the page. */
  void headers(Map<String, String> headers) throws Exception {
    command("Network.enable", Map.of());
    command("Network.setExtraHTTPHeaders", Map.of("headers", headers));
  }

  void navigate(String url) throws Exception {
    JsonNode r = command("Page.navigate", Map.of("url", url));
    if (r.has("errorText")) {
      throw new IllegalStateException("cannot load " + url + ": " + r.get("errorText"));
    }
  }

  /** Chooses {@code file} in the page's file input {@code selector}, as a person would. */
  void chooseFile(String selector, Path file) throws Exception {
    int document = command("DOM.getDocument", Map.of()).path("root").path("nodeId").asInt();
    int input =
        command("DOM.querySelector", Map.of("nodeId", document, "selector", selector))
            .path("nodeId")
            .asInt();
    command("DOM.setFileInputFiles", Map.of("nodeId", input, "files", List.of(file.toString())));
  }

  /** The value of a JavaScript expression in the page, promises awaited. */
  JsonNode eval(String expression) throws Exception {
    JsonNode r =
        command(
            "Runtime.evaluate",
            Map.of("expression", expression, "awaitPromise", true, "returnByValue", true));
    if (r.has("exceptionDetails")) {
      throw new IllegalStateException(expression + ": " + r.get("exceptionDetails"));
    }
    return r.path("result").path("value");
  }

  /**
   * Waits until {@code condition} (a JavaScript expression) is true in the page; on timeout fails
   * with {@code explain}'s value, what the page shows.
   */
  void await(String condition, Duration timeout, String explain) throws Exception {
    Instant end = Instant.now().plus(timeout);
    // False while the page is still loading and the expression cannot be evaluated yet.
    String test =
        "(() => { try { return Boolean(" + condition + "); } catch { return false; } })()";
    while (!eval(test).asBoolean()) {
      if (Instant.now().isAfter(end)) {
        throw new AssertionError(
            "not true after "
                + timeout.toSeconds()
                + " s: "
                + condition
                + "; page: "
                + eval(explain));
      }
      Thread.sleep(100); // polling interval only: the condition is the proof
    }
  }

  /** A PNG of the page as the window shows it. */
  byte[] screenshot() throws Exception {
    String data = command("Page.captureScreenshot", Map.of("format", "png")).path("data").asText();
    return java.util.Base64.getDecoder().decode(data);
  }

  @Override
  public void close() throws Exception {
    socket.abort();
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    try (Stream<Path> files = Files.walk(profile)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      // a profile file chromium still held: left in the temporary folder
    }
  }

  /** Collects each message's text frames and hands answers to their waiting command. */
  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        try {
          JsonNode message = JSON.readTree(text.toString());
          if (message.has("id")) {
            CompletableFuture<JsonNode> f = pending.remove(message.get("id").asInt());
            if (f != null) {
              f.complete(message);
            }
          }
        } catch (IOException e) {
          pending.values().forEach(f -> f.completeExceptionally(e));
        }
        text.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      pending.values().forEach(f -> f.completeExceptionally(error));
    }
  }
}
