package dev.imgd.server.source;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.zip.GZIPOutputStream;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * A real HTTP origin on 127.0.0.1 for the HTTP source's tests: a Jetty server for well-formed
 * answers, and a raw socket server for the malformed ones Jetty refuses to send (a lying
 * Content-Length, a reset).
 */
final class TestOrigin implements AutoCloseable {
  static final byte[] IMAGE = bytes(10_000, 1);
  static final byte[] BIG = bytes(200_000, 2);

  private final Server server = new Server();
  private final ServerSocket raw;

  /** The Accept-Encoding of the last request, or "(none)". */
  volatile String acceptEncoding = "(none)";

  /** Counted down when the slow handler stops writing because the client went away. */
  volatile CountDownLatch trickleStopped = new CountDownLatch(1);

  TestOrigin() throws Exception {
    ServerConnector connector = new ServerConnector(server, 1, 1);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback)
              throws Exception {
            return TestOrigin.this.handle(request, response, callback);
          }
        });
    server.start();

    raw = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    Thread.ofVirtual().start(this::acceptRaw);
  }

  /** The Jetty origin: {@code http://127.0.0.1:port}. */
  String url() {
    return "http://127.0.0.1:" + port();
  }

  int port() {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  /** The raw origin: {@code http://127.0.0.1:port}. */
  String rawUrl() {
    return "http://127.0.0.1:" + raw.getLocalPort();
  }

  @Override
  public void close() {
    try {
      server.stop();
      raw.close();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = Request.getPathInContext(request);
    Fields query = Request.extractQueryParameters(request);
    acceptEncoding =
        Objects.requireNonNullElse(request.getHeaders().get(HttpHeader.ACCEPT_ENCODING), "(none)");
    switch (path) {
      case "/image" -> send(response, callback, 200, IMAGE);
      case "/user-agent" ->
          send(
              response,
              callback,
              200,
              String.valueOf(request.getHeaders().get(HttpHeader.USER_AGENT))
                  .getBytes(StandardCharsets.UTF_8));
      case "/missing" -> send(response, callback, 404, new byte[0]);
      case "/gone" -> send(response, callback, 410, new byte[0]);
      case "/error" -> send(response, callback, 500, new byte[0]);
      case "/forbidden" -> send(response, callback, 403, new byte[0]);
      // What a CDN does: gzip when the client says it can take it.
      case "/gzip-if-asked" -> {
        boolean asked = acceptEncoding.contains("gzip");
        if (asked) {
          response.getHeaders().put(HttpHeader.CONTENT_ENCODING, "gzip");
        }
        send(response, callback, 200, asked ? gzip(IMAGE) : IMAGE);
      }
      // Gzip whatever was asked: a small answer that inflates to far more than any cap.
      case "/gzip-bomb" -> {
        response.getHeaders().put(HttpHeader.CONTENT_ENCODING, "gzip");
        send(response, callback, 200, GZIP_BOMB);
      }
      // S3's answer (path style: /bucket/key) for a key the credentials may not read.
      case "/denied/key" -> {
        response.setStatus(403);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/xml");
        response.write(
            true,
            ByteBuffer.wrap(
                ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code>"
                        + "<Message>Access Denied</Message><RequestId>1</RequestId></Error>")
                    .getBytes(StandardCharsets.UTF_8)),
            callback);
      }
      case "/declared-big" -> {
        // Declares more than the cap; the client should give up on seeing the header.
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, BIG.length);
        trickle(response, callback, BIG, 10_000, 0);
      }
      case "/streamed-big" -> trickle(response, callback, BIG, 10_000, 0); // chunked, no length
      case "/slow" -> trickle(response, callback, bytes(100, 3), 1, 200);
      case "/to" -> redirect(response, callback, query.getValue("url"));
      default -> {
        if (path.startsWith("/hops/")) {
          int n = Integer.parseInt(path.substring("/hops/".length()));
          redirect(response, callback, n == 0 ? "/image" : "/hops/" + (n - 1));
        } else {
          send(response, callback, 404, new byte[0]);
        }
      }
    }
    return true;
  }

  private static void send(Response response, Callback callback, int status, byte[] body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "image/png");
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  private static void redirect(Response response, Callback callback, String location) {
    response.setStatus(302);
    response.getHeaders().put(HttpHeader.LOCATION, location);
    response.write(true, ByteBuffer.allocate(0), callback);
  }

  /** Writes the body in pieces, pausing between them, until done or the client goes away. */
  private void trickle(Response response, Callback callback, byte[] body, int piece, long pauseMs) {
    try {
      for (int at = 0; at < body.length; at += piece) {
        int n = Math.min(piece, body.length - at);
        Content.Sink.write(response, false, ByteBuffer.wrap(body, at, n));
        Thread.sleep(pauseMs);
      }
      Content.Sink.write(response, true, ByteBuffer.allocate(0));
      callback.succeeded();
    } catch (IOException | InterruptedException e) {
      trickleStopped.countDown();
      callback.failed(e);
    }
  }

  private void acceptRaw() {
    while (!raw.isClosed()) {
      try {
        Socket socket = raw.accept();
        Thread.ofVirtual().start(() -> serveRaw(socket));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  /** Answers one request on a raw socket, the way no well-behaved server would. */
  private static void serveRaw(Socket socket) {
    try (socket) {
      String path = requestPath(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      switch (path) {
        // Declares 10 bytes and sends far more: only the declared 10 may be taken.
        case "/lying-short" -> {
          out.write(head("Content-Length: 10\r\nConnection: close"));
          out.write(BIG);
        }
        // Declares 10 bytes and also chunked framing, which carries far more (RFC 9112 6.3: an
        // error, a sign of response smuggling).
        case "/lying-chunked" -> {
          out.write(head("Content-Length: 10\r\nTransfer-Encoding: chunked"));
          for (int at = 0; at < BIG.length; at += 10_000) {
            out.write(("2710\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(BIG, at, 10_000);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
          }
          out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        // No length at all, the body ends when the connection closes.
        case "/unframed-big" -> {
          out.write(head("Connection: close"));
          out.write(BIG);
        }
        // Declares more than it sends (but less than the cap), then closes.
        case "/truncated" -> {
          out.write(head("Content-Length: 50000"));
          out.write(IMAGE);
        }
        // A TCP reset instead of an answer.
        case "/reset" -> socket.setSoLinger(true, 0);
        // Half a status line, then a TCP reset.
        case "/half-reset" -> {
          out.write("HTTP/1.1 200".getBytes(StandardCharsets.US_ASCII));
          out.flush();
          socket.setSoLinger(true, 0);
        }
        default -> out.write(head("Content-Length: 0"));
      }
      out.flush();
    } catch (IOException e) {
      // The client went away: expected for the oversized answers.
    }
  }

  private static byte[] head(String headers) {
    return ("HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n" + headers + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static String requestPath(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      String s = head.toString(StandardCharsets.US_ASCII);
      if (s.endsWith("\r\n\r\n")) {
        return s.split(" ")[1];
      }
    }
    return "/";
  }

  /** 16 MiB of zeros, gzipped to a few KiB. */
  static final byte[] GZIP_BOMB = gzip(new byte[16 << 20]);

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }
}
