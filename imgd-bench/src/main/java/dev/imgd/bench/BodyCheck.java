package dev.imgd.bench;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.core.Limits;
import dev.imgd.core.options.OptionsParser;
import dev.imgd.core.plan.Plan;
import dev.imgd.core.plan.Planner;
import dev.imgd.core.probe.Probe;
import dev.imgd.core.probe.ProbeResult;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;

/**
 * Checks a 200 answer the way a client would notice a bad one (FM-11): a body, the asked format by
 * its Content-Type and by imgd's own header probe, and the size the planner plans for the source
 * and options (pure Java: the same planner the server uses, no libvips in this process).
 */
final class BodyCheck {
  private static final OptionsParser PARSER = new OptionsParser(Map.of());
  private static final Planner PLANNER =
      new Planner(
          Limits.DEFAULTS,
          EnumSet.allOf(ImageFormat.class),
          EnumSet.copyOf(
              Arrays.stream(ImageFormat.values()).filter(ImageFormat::isOutput).toList()),
          false);

  private BodyCheck() {}

  /**
   * Null when the body is a valid answer to {@code options} (which name the output format) for
   * {@code source}, else what is wrong with it.
   */
  static String problem(byte[] source, String options, Http.Answer a) {
    return problem(source, options, a, true);
  }

  /**
   * As {@link #problem(byte[], String, Http.Answer)}; the size is checked only when {@code sized}
   * (a trim finds the result's size in the pixels, where the planner cannot see).
   */
  static String problem(byte[] source, String options, Http.Answer a, boolean sized) {
    ImageFormat wanted = PARSER.parse(options).format().orElseThrow();
    if (a.body().length == 0) {
      return "200 with an empty body";
    }
    if (!a.contentType().equals(wanted.mimeType())) {
      return "200 with Content-Type '" + a.contentType() + "', asked " + wanted.mimeType();
    }
    ProbeResult out;
    try {
      out = Probe.read(a.body());
    } catch (ImgdException e) {
      return "200 whose body does not probe: " + e.getMessage();
    }
    if (out.format() != wanted) {
      return "200 with a " + out.format() + " body, asked " + wanted;
    }
    if (!sized) {
      return null;
    }
    Plan plan;
    try {
      plan = PLANNER.plan(Probe.read(source), PARSER.parse(options));
    } catch (RuntimeException e) {
      return null; // no plan from the header alone (e.g. a vector): format checked only
    }
    int w = plan.geometry().width();
    int h = plan.geometry().height();
    if (out.width() != w || out.height() != h) {
      return "200 with a %dx%d image, planned %dx%d".formatted(out.width(), out.height(), w, h);
    }
    return null;
  }
}
