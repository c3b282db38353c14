package dev.imgd.core.hostile;

import dev.imgd.core.ImgdException;
import dev.imgd.core.probe.Probe;
import dev.imgd.testkit.hostile.HostileFile;
import dev.imgd.testkit.hostile.HostileFile.Expectation;
import dev.imgd.testkit.hostile.HostileFiles;
import java.util.List;

/**
 * FM-11: the generator's cuts of a file, each expected what the header probe makes of it (the
 * generator cannot probe: imgd-testkit does not depend on imgd-core).
 */
public final class Truncations {
  private Truncations() {}

  /** {@code original} cut at up to {@code count} lengths, see {@link HostileFiles#truncations}. */
  public static List<HostileFile> of(String name, byte[] original, int count) {
    return HostileFiles.truncations(name, original, count, Truncations::expectation);
  }

  static Expectation expectation(byte[] cut) {
    try {
      return switch (Probe.read(cut).format()) {
        case TIFF, SVG, PDF -> Expectation.ISOLATED_REFUSES;
        default -> Expectation.TRUNCATED;
      };
    } catch (ImgdException e) {
      return switch (e.code()) {
        case UNSUPPORTED_FORMAT -> Expectation.UNSUPPORTED_FORMAT;
        case LIMIT_EXCEEDED -> Expectation.LIMIT_EXCEEDED;
        default -> Expectation.CORRUPT_IMAGE;
      };
    }
  }
}
