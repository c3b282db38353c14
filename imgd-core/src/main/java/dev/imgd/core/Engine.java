package dev.imgd.core;

import dev.imgd.core.plan.Encoded;
import dev.imgd.core.plan.Page;
import dev.imgd.core.plan.Plan;
import java.time.Instant;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Runs plans in libvips: in this process ({@link #inProcess}, for trusted input, fastest) or in
 * isolated worker processes that are killed and replaced when they overrun their deadline or memory
 * cap or crash (module imgd-worker). Both give the same bytes for the same plan.
 *
 * <p>Every method is safe to call from any thread, virtual threads included, and fails only with
 * {@link ImgdException}.
 */
public interface Engine extends AutoCloseable {

  /** Input formats this engine decodes. */
  Set<ImageFormat> reads();

  /** Output formats this engine encodes for an input of the given format. */
  Set<ImageFormat> writes(ImageFormat input);

  /**
   * Output formats the engine's main libvips encodes: those it writes for the {@link
   * ImageFormat#BASELINE} input. That they are there says the main libvips works.
   */
  default Set<ImageFormat> mainWrites() {
    return writes(ImageFormat.BASELINE);
  }

  /**
   * Runs the plan on the source; {@code watermark} is the watermark image's bytes when the plan has
   * one (else null). Fails with DEADLINE_EXCEEDED when the deadline passes first.
   */
  Encoded run(byte[] source, Plan plan, byte @Nullable [] watermark, Instant deadline);

  /**
   * Reads the size of a vector document's page, at 72 dpi, and its page count, without rendering it
   * (SVG, PDF: only isolated engines read them).
   */
  Page measure(byte[] source, ImageFormat format, int page, Instant deadline);

  /** Stops the engine; jobs in flight finish first. */
  @Override
  void close();

  /**
   * An engine in this process, on its own pool of {@code threads} platform threads. It cannot stop
   * native code: past the deadline the caller gets DEADLINE_EXCEEDED, and the thread finishes its
   * image before taking the next one. Use isolated workers for untrusted input.
   */
  static Engine inProcess(int threads) {
    return new InProcessEngine(threads);
  }
}
