package dev.imgd.server;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.options.Options;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The Content-Disposition of an image answer, as imgproxy's: {@code inline} (or {@code attachment}
 * with {@code att}), the file name from {@code fn} or else the source URL's last path segment, and
 * the extension of what is really sent.
 */
final class ContentDisposition {
  /** imgproxy's stem when neither {@code fn} nor the URL gives one. */
  private static final String FALLBACK_STEM = "image";

  private ContentDisposition() {}

  /**
   * @param source the source URL; null for a POST body
   * @param contentType the answer's type, which gives the extension
   */
  static String value(@Nullable URI source, Options.Response options, String contentType) {
    String file = "";
    if (source != null && source.getPath() != null) {
      file = source.getPath().substring(source.getPath().lastIndexOf('/') + 1);
    }
    int dot = file.lastIndexOf('.');
    String stem = dot >= 0 ? file.substring(0, dot) : file;
    String ext = dot >= 0 ? file.substring(dot) : "";
    if (!options.filename().isEmpty()) {
      stem = options.filename();
    }
    for (ImageFormat f : ImageFormat.values()) {
      if (f.mimeType().equals(contentType)) {
        ext = "." + f.extension();
      }
    }
    if (stem.isEmpty()) {
      stem = FALLBACK_STEM;
    }
    return (options.returnAttachment() ? "attachment" : "inline")
        + "; filename=\""
        + quoted(stem + ext)
        + '"';
  }

  /**
   * The name inside the quotes: a quote as %22 (imgproxy's), and, unlike imgproxy, which writes raw
   * UTF-8, every byte that is not printable ASCII or is a backslash percent-encoded too, so that a
   * name can neither break the header nor be read in another charset.
   */
  private static String quoted(String name) {
    StringBuilder out = new StringBuilder();
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        out.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      } else {
        out.append((char) c);
      }
    }
    return out.toString();
  }
}
