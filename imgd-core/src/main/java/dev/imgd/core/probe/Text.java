package dev.imgd.core.probe;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Recognises markup: SVG by its root element after the XML prolog, and other XML or HTML only to
 * name it when refusing it. Scans at most the first {@value #MAX_PROLOG} bytes.
 */
final class Text {
  static final int MAX_PROLOG = 64 * 1024;

  private Text() {}

  /**
   * True if the root element, after an optional BOM, XML declaration, comments and doctype, is svg.
   */
  static boolean isSvg(byte[] data) {
    ByteReader r = new ByteReader(data, "SVG");
    int root = root(r);
    if (root < 0 || !r.matches(root, "<svg")) {
      return false;
    }
    return !r.has(root + 4, 1) || isNameEnd(r.u8(root + 4));
  }

  /** "HTML data" or "XML data" if the data is markup, else null. */
  static @Nullable String markup(byte[] data) {
    ByteReader r = new ByteReader(data, "XML");
    int root = root(r);
    if (root >= 0) {
      String name =
          new String(data, root, Math.min(5, data.length - root), StandardCharsets.ISO_8859_1);
      return name.toLowerCase(Locale.ROOT).equals("<html") ? "HTML data" : "XML data";
    }
    return r.matches(skipSpace(r, bom(r)), "<?xml") ? "XML data" : null;
  }

  /** Position of the root element's '<', or -1 if the prolog is not followed by an element. */
  private static int root(ByteReader r) {
    int limit = Math.min(r.length(), MAX_PROLOG);
    int pos = bom(r);
    while (true) {
      pos = skipSpace(r, pos);
      int next;
      if (r.matches(pos, "<?")) {
        next = end(r, pos, "?>", limit);
      } else if (r.matches(pos, "<!--")) {
        next = end(r, pos, "-->", limit);
      } else if (r.matches(pos, "<!DOCTYPE") || r.matches(pos, "<!doctype")) {
        next = doctypeEnd(r, pos, limit);
      } else if (r.has(pos, 2) && r.u8(pos) == '<' && isNameStart(r.u8(pos + 1))) {
        return pos;
      } else {
        return -1;
      }
      if (next < 0) {
        return -1;
      }
      pos = next;
    }
  }

  private static int bom(ByteReader r) {
    return r.matches(0, "\u00ef\u00bb\u00bf") ? 3 : 0;
  }

  private static int skipSpace(ByteReader r, int pos) {
    while (r.has(pos, 1)
        && (r.u8(pos) == ' ' || r.u8(pos) == '\t' || r.u8(pos) == '\r' || r.u8(pos) == '\n')) {
      pos++;
    }
    return pos;
  }

  /** Position after the first {@code terminator} past {@code pos}, or -1 before {@code limit}. */
  private static int end(ByteReader r, int pos, String terminator, int limit) {
    for (int i = pos + 2; i < limit; i++) {
      if (r.matches(i, terminator)) {
        return i + terminator.length();
      }
    }
    return -1;
  }

  /** Position after a doctype's closing '>', skipping an internal subset in brackets. */
  private static int doctypeEnd(ByteReader r, int pos, int limit) {
    int depth = 0;
    for (int i = pos + 2; i < limit; i++) {
      int c = r.u8(i);
      if (c == '[') {
        depth++;
      } else if (c == ']') {
        depth = Math.max(0, depth - 1);
      } else if (c == '>' && depth == 0) {
        return i + 1;
      }
    }
    return -1;
  }

  private static boolean isNameStart(int c) {
    return Character.isLetter(c) || c == '_' || c == ':';
  }

  private static boolean isNameEnd(int c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '>' || c == '/';
  }
}
