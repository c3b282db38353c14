package dev.imgd.core.options;

import dev.imgd.core.ImageFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * An imgproxy request path taken apart.
 *
 * @param options the processing options, with the extension (if any) already applied as the output
 *     format
 * @param source the source URL, percent- or base64-decoded
 * @param extension the output format named after '@' (plain) or '.' (base64) at the end
 */
public record ParsedPath(Options options, String source, Optional<ImageFormat> extension) {
  public ParsedPath {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(extension, "extension");
  }
}
