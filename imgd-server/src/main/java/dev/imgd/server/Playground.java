package dev.imgd.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.core.options.OptionReference;
import dev.imgd.server.settings.Settings;
import dev.imgd.server.source.Sources;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The playground: a static page ({@code /}, its script and style, classpath resources beside this
 * class) that builds imgproxy URLs with controls made from the option table, and the data it reads
 * under {@code /playground/}: the options ({@link OptionReference}), the local source's images, on
 * a signing server the signature of a path it built, and the images themselves ({@link
 * #imagePath}). It is served where {@link #where} says: on the image port when URLs are not signed,
 * else only on the admin listener, behind its token, since whoever may sign can make the server
 * process anything.
 */
final class Playground {
  /** The image list's bounds: path parts (a file 3 folders down has 4), and files. */
  static final int LIST_DEPTH = 4;

  static final int LIST_MAX = 500;

  /** Where the page asks for the images it shows. */
  static final String IMAGES = "/playground/image";

  /** No inline script or style, nothing from elsewhere: the page and the images it asked for. */
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:;"
          + " connect-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, Asset> FILES =
      Map.of(
          "/", new Asset("index.html", "text/html; charset=utf-8"),
          "/playground/playground.js", new Asset("playground.js", "text/javascript; charset=utf-8"),
          "/playground/playground.css", new Asset("playground.css", "text/css; charset=utf-8"));

  /** A file of the page, a resource beside this class. */
  private record Asset(String file, String type) {}

  private static final Logger LOG = LoggerFactory.getLogger(Playground.class);

  private final String where;
  private final String baseUrl;
  private final Signatures signatures;
  private final Sources sources;
  private final byte[] options;

  Playground(Settings settings, Signatures signatures, Sources sources) {
    this.signatures = signatures;
    this.sources = sources;
    this.where =
        !settings.get(Settings.PLAYGROUND)
            ? "off"
            : !signatures.enabled()
                ? "public"
                : settings.get(Settings.ADMIN_BIND).isPresent() ? Routes.ADMIN : "off";
    if (where.equals("off") && settings.get(Settings.PLAYGROUND)) {
      LOG.warn(
          "no playground: with IMGD_KEY set it is served on the admin listener only, and there is"
              + " none (set IMGD_ADMIN_BIND and IMGD_ADMIN_TOKEN, or IMGD_PLAYGROUND=false)");
    }
    this.baseUrl = settings.get(Settings.BASE_URL);
    this.options = options(signatures.enabled(), settings.get(Settings.ARGUMENTS_SEPARATOR));
  }

  /** Where the page is served: public (the image port), admin or off. */
  String where() {
    return where;
  }

  /** Whether {@code path} is one of the playground's own. */
  static boolean serves(String path) {
    return path.equals("/") || path.startsWith("/playground/");
  }

  /**
   * The image path a playground path stands for ({@value #IMAGES}{@code /sig/options/...} or
   * {@value #IMAGES}{@code /process}), or null: the page asks for its images there, so that on the
   * admin listener nothing but the playground's own paths reaches the image walk.
   */
  static @Nullable String imagePath(String path) {
    return path.startsWith(IMAGES + "/") ? path.substring(IMAGES.length()) : null;
  }

  void handle(Request request, Response response, Callback callback, String path) {
    Asset asset = FILES.get(path);
    if (asset != null) {
      send(response, callback, asset.type(), resource(asset.file()));
      return;
    }
    switch (path) {
      case "/playground/options" -> send(response, callback, "application/json", options);
      case "/playground/images" -> send(response, callback, "application/json", images());
      case "/playground/sign" -> send(response, callback, "application/json", sign(request));
      default -> throw new ImgdException(ErrorCode.SOURCE_NOT_FOUND, "nothing here: " + path);
    }
  }

  /** The option table, the formats a URL may ask for and how to write the URLs, for the page. */
  private static byte[] options(boolean signing, String separator) {
    ObjectNode body = JSON.createObjectNode();
    body.put("signing", signing);
    body.put("separator", separator);
    ArrayNode formats = body.putArray("formats");
    for (ImageFormat f : ImageFormat.values()) {
      if (f.canBeAsked()) {
        formats.add(f.extension());
      }
    }
    ArrayNode list = body.putArray("options");
    for (OptionReference o : OptionReference.all()) {
      ObjectNode n = list.addObject();
      n.put("name", o.name());
      o.aliases().forEach(n.putArray("aliases")::add);
      n.put("args", o.args());
      n.put("maxArgs", o.maxArgs());
      n.put("example", o.example());
      n.put("doc", o.doc());
    }
    return bytes(body);
  }

  /**
   * The local source's images, read again each time: the folder may change. Only those the image
   * walk reaches as {@code local:///name}: IMGD_BASE_URL is put before any source URL that does not
   * start with it, so a base that is not a local prefix leaves the page with uploads only.
   */
  private byte[] images() {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode list = body.putArray("images");
    sources.listLocal(LIST_DEPTH, LIST_MAX, Playground::isImage).stream()
        .filter(url -> url.toString().startsWith(baseUrl))
        .forEach(url -> list.add(url.getPath().substring(1)));
    body.put("max", LIST_MAX);
    body.put("baseUrl", !baseUrl.isEmpty());
    return bytes(body);
  }

  private static boolean isImage(String name) {
    int dot = name.lastIndexOf('.');
    return dot > 0
        && ImageFormat.fromExtension(name.substring(dot + 1).toLowerCase(Locale.ROOT)).isPresent();
  }

  /**
   * The signature of {@code ?path=}, an image path after its signature segment or {@code
   * /process?options}: what the page needs to ask for the image it built, never the key.
   */
  private byte[] sign(Request request) {
    String path = Request.extractQueryParameters(request).getValue("path");
    if (!signatures.enabled()) {
      throw new ImgdException(ErrorCode.SOURCE_NOT_FOUND, "URLs are not signed on this server");
    }
    if (path == null || !path.startsWith("/")) {
      throw new ImgdException(ErrorCode.BAD_OPTIONS, "path must be given and start with /");
    }
    ObjectNode body = JSON.createObjectNode();
    body.put("signature", signatures.sign(path));
    return bytes(body);
  }

  private static byte[] resource(String name) {
    try (InputStream in =
        Objects.requireNonNull(Playground.class.getResourceAsStream("playground/" + name), name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] bytes(ObjectNode body) {
    return body.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void send(Response response, Callback callback, String type, byte[] body) {
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put("Content-Security-Policy", CSP);
    response.getHeaders().put("Referrer-Policy", "no-referrer");
    response.write(true, ByteBuffer.wrap(body), callback);
  }
}
