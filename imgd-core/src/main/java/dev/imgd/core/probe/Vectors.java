package dev.imgd.core.probe;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.core.Limits;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rules for vector documents, whose size only their loader knows. Before a loader sees an SVG,
 * its text is checked: no DTD (entity expansion bombs), no reference outside the document (files,
 * URLs: FM-22 through the back door). After the isolated loader measured a page (without rendering
 * it), its size is checked: a page larger than any real one is refused, whatever scale would fit it
 * under the pixel limit.
 */
public final class Vectors {
  /** PDF's own bound on a page side (ISO 32000, Annex C), in points; SVG shares it. */
  static final int MAX_PAGE_SIDE = 14_400;

  private static final Pattern REFERENCE =
      Pattern.compile(
          "(?:href\\s*=\\s*[\"']\\s*([^\"']*)|url\\(\\s*[\"']?\\s*([^\"')]*)|@import\\s+([^;]*))",
          Pattern.CASE_INSENSITIVE);

  private Vectors() {}

  /** Refuses a vector document the loader must not see: the check of its format. */
  public static void check(ImageFormat format, byte[] document) {
    switch (format) {
      case SVG -> checkSvg(document);
      case PDF -> checkPdf(document);
      default -> throw new IllegalArgumentException(format + " is not a vector format");
    }
  }

  /**
   * Refuses an SVG with a DTD, a processing instruction for a stylesheet, or outside references.
   */
  static void checkSvg(byte[] svg) {
    String text = new String(svg, StandardCharsets.ISO_8859_1);
    String lower = text.toLowerCase(Locale.ROOT);
    if (lower.contains("<!doctype") || lower.contains("<!entity")) {
      throw refused("an SVG with a DTD or entities (entity expansion is refused)");
    }
    if (lower.contains("<?xml-stylesheet")) {
      throw refused("an SVG that loads a stylesheet");
    }
    Matcher m = REFERENCE.matcher(text);
    while (m.find()) {
      String target = firstNonNull(m.group(1), m.group(2), m.group(3)).strip();
      String t = target.toLowerCase(Locale.ROOT);
      if (!t.isEmpty() && !t.startsWith("#") && !t.startsWith("data:")) {
        throw refused("an SVG that refers outside itself");
      }
    }
  }

  private static final Pattern BOX =
      Pattern.compile(
          "/(?:MediaBox|CropBox)\\s*\\[\\s*(-?[0-9.]+)\\s+(-?[0-9.]+)\\s+(-?[0-9.]+)\\s+(-?[0-9.]+)");

  /**
   * Refuses a PDF that declares, in plain text, a page box larger than any real page. poppler
   * clamps such a box to a sane size before libvips sees it, so the measured size cannot tell;
   * boxes inside compressed object streams are left to the measure and the worker's limits.
   */
  static void checkPdf(byte[] pdf) {
    Matcher m = BOX.matcher(new String(pdf, StandardCharsets.ISO_8859_1));
    while (m.find()) {
      try {
        double w = Math.abs(Double.parseDouble(m.group(3)) - Double.parseDouble(m.group(1)));
        double h = Math.abs(Double.parseDouble(m.group(4)) - Double.parseDouble(m.group(2)));
        if (w > MAX_PAGE_SIDE || h > MAX_PAGE_SIDE) {
          throw new ImgdException(
              ErrorCode.LIMIT_EXCEEDED,
              "the PDF declares a page of %.0fx%.0f points: pages must be at most %d a side"
                  .formatted(w, h, MAX_PAGE_SIDE));
        }
      } catch (NumberFormatException e) {
        // not a number: the loader will judge the box
      }
    }
  }

  /**
   * Checks a measured document: each side of the page between 1 and {@value #MAX_PAGE_SIDE} units
   * (points for PDF, user units for SVG), at most {@link Limits#maxFrames} pages, and the requested
   * page present.
   */
  public static void checkPage(
      ImageFormat format, int width, int height, int pages, int page, Limits limits) {
    if (width < 1 || height < 1 || width > MAX_PAGE_SIDE || height > MAX_PAGE_SIDE) {
      throw new ImgdException(
          ErrorCode.LIMIT_EXCEEDED,
          "the %s page is %dx%d units: pages must be 1 to %d units a side"
              .formatted(format, width, height, MAX_PAGE_SIDE));
    }
    if (pages > limits.maxFrames()) {
      throw new ImgdException(
          ErrorCode.LIMIT_EXCEEDED,
          "the document has " + pages + " pages, over the limit of " + limits.maxFrames());
    }
    if (page >= pages) {
      throw new ImgdException(
          ErrorCode.BAD_OPTIONS,
          "page " + page + " was asked for; the document has " + pages + " (counted from 0)");
    }
  }

  private static String firstNonNull(String... s) {
    for (String x : s) {
      if (x != null) {
        return x;
      }
    }
    return "";
  }

  private static ImgdException refused(String what) {
    return new ImgdException(ErrorCode.LIMIT_EXCEEDED, "refused " + what);
  }
}
