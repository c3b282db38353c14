package dev.imgd.server;

import dev.imgd.server.settings.Settings;
import dev.imgd.testkit.Fixtures;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * A real origin on 127.0.0.1 whose answers a test scripts (status, headers, body per request), and
 * which keeps the headers of every request it got: what imgproxy's handler tests do with
 * httptest.NewServer. Also starts signed imgd servers in front of it.
 */
final class ScriptedOrigin implements AutoCloseable {
  /** One answer of the origin. */
  record Reply(int status, Map<String, String> headers, byte[] body) {
    static Reply ok(byte[] body, String... headers) {
      Map<String, String> h = new HashMap<>();
      for (int i = 0; i < headers.length; i += 2) {
        h.put(headers[i], headers[i + 1]);
      }
      return new Reply(200, h, body);
    }

    static Reply notModified(String... headers) {
      return new Reply(304, ok(new byte[0], headers).headers(), new byte[0]);
    }
  }

  private final Server server = new Server();
  private final Signatures signer;

  /** The headers of each request the origin got, in order. */
  final List<HttpFields> requests = new CopyOnWriteArrayList<>();

  /** What the origin answers; tests replace it. */
  volatile Function<Request, Reply> script = r -> new Reply(404, Map.of(), new byte[0]);

  ScriptedOrigin() throws Exception {
    ServerConnector connector = new ServerConnector(server, 1, 1);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    server.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
            requests.add(HttpFields.build(request.getHeaders()).asImmutable());
            Reply reply = script.apply(request);
            response.setStatus(reply.status());
            reply.headers().forEach(response.getHeaders()::put);
            response.write(true, ByteBuffer.wrap(reply.body()), callback);
            return true;
          }
        });
    server.start();
    signer = Signatures.of(Settings.from(settings(Map.of())));
  }

  /** {@code http://127.0.0.1:port/path}, percent-encoded for a {@code /plain/} source. */
  String url(String path) {
    int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    return java.net.URLEncoder.encode(
        "http://127.0.0.1:" + port + path, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The headers of the last request the origin got. */
  HttpFields last() {
    return requests.getLast();
  }

  /** An in-process imgd with keys, allowed to fetch from loopback, with {@code extra} settings. */
  ImgdServer imgd(Map<String, String> extra) throws Exception {
    return ImgdServer.start(Settings.from(settings(extra)), Faults.NONE);
  }

  private static Map<String, String> settings(Map<String, String> extra) {
    return ServerTest.settings(Fixtures.images(), extra);
  }

  /** GET {@code path} (after the signature) from {@code imgd}, signed, with header pairs. */
  HttpResponse<byte[]> get(ImgdServer imgd, String path, String... headers) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + imgd.port() + "/" + signer.sign(path) + path);
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return ServerTest.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
