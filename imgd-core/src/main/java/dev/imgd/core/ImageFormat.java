package dev.imgd.core;

import dev.imgd.vips.Capabilities;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Image formats imgd reads or writes. */
public enum ImageFormat {
  JPEG("image/jpeg", "jpg"),
  PNG("image/png", "png"),
  WEBP("image/webp", "webp"),
  GIF("image/gif", "gif"),
  AVIF("image/avif", "avif"),
  HEIC("image/heic", "heic"),
  TIFF("image/tiff", "tiff"),
  SVG("image/svg+xml", "svg"),
  PDF("application/pdf", "pdf");

  private final String mimeType;
  private final String extension;

  ImageFormat(String mimeType, String extension) {
    this.mimeType = mimeType;
    this.extension = extension;
  }

  public String mimeType() {
    return mimeType;
  }

  public String extension() {
    return extension;
  }

  /** Vector documents: measured and rendered by the loader, only in isolated workers. */
  public boolean isVector() {
    return this == SVG || this == PDF;
  }

  /** Formats imgd can encode. */
  public boolean isOutput() {
    return this == JPEG || this == PNG || this == WEBP || this == GIF || this == AVIF;
  }

  /** The formats a libvips build decodes, as far as imgd knows them. */
  public static Set<ImageFormat> readable(Capabilities caps) {
    return of(caps.reads());
  }

  /** The output formats a libvips build encodes. */
  public static Set<ImageFormat> writable(Capabilities caps) {
    Set<ImageFormat> s = of(caps.writes());
    s.removeIf(f -> !f.isOutput());
    return s;
  }

  private static Set<ImageFormat> of(Set<Capabilities.Format> formats) {
    Set<ImageFormat> s = EnumSet.noneOf(ImageFormat.class);
    for (Capabilities.Format f : formats) {
      fromExtension(f.name()).ifPresent(s::add);
    }
    return s;
  }

  /** Parses an extension as imgproxy writes it: "jpg", "jpeg", "png", "webp", "avif", "gif"... */
  public static Optional<ImageFormat> fromExtension(String ext) {
    if (ext == null) {
      return Optional.empty();
    }
    return switch (ext.toLowerCase(Locale.ROOT)) {
      case "jpg", "jpeg" -> Optional.of(JPEG);
      case "png" -> Optional.of(PNG);
      case "webp" -> Optional.of(WEBP);
      case "gif" -> Optional.of(GIF);
      case "avif" -> Optional.of(AVIF);
      case "heic", "heif" -> Optional.of(HEIC);
      case "tif", "tiff" -> Optional.of(TIFF);
      case "svg" -> Optional.of(SVG);
      case "pdf" -> Optional.of(PDF);
      default -> Optional.empty();
    };
  }
}
