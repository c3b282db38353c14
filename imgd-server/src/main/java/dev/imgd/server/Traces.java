package dev.imgd.server;

import dev.imgd.core.Imgd;
import dev.imgd.core.ImgdException;
import dev.imgd.core.options.ResizePlan;
import dev.imgd.core.plan.Plan;
import dev.imgd.server.source.Fetched;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.resources.Resource;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * OpenTelemetry traces: off unless the standard {@code OTEL_*} variables ask for them (see {@link
 * #fromEnvironment}), then the SDK as its autoconfiguration builds it from those variables, with an
 * OTLP exporter (http/protobuf over the JDK's HttpClient by default). Off, there is no SDK at all:
 * {@link #span} runs its work and nothing else, and no tracing handler is in the chain.
 */
final class Traces implements AutoCloseable {
  /** The stable error code of a failure ({@code ErrorCode.code()}), as the semantic conventions. */
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  /** No traces. */
  static final Traces OFF = new Traces(null, () -> {});

  private final @Nullable OpenTelemetry otel;
  private final @Nullable Tracer tracer;
  private final Runnable shutdown;

  private Traces(@Nullable OpenTelemetry otel, Runnable shutdown) {
    this.otel = otel;
    this.tracer = otel == null ? null : otel.getTracer("dev.imgd.server");
    this.shutdown = shutdown;
  }

  /** Traces through {@code otel}, which the caller shuts down (tests: the in-memory exporter). */
  static Traces of(OpenTelemetry otel) {
    return new Traces(otel, () -> {});
  }

  /** As the process environment asks: {@link #fromEnvironment(Map)} of {@link System#getenv()}. */
  static Traces fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /**
   * On when {@code env} names an exporter ({@code OTEL_TRACES_EXPORTER}, not {@code none}) or an
   * OTLP endpoint ({@code OTEL_EXPORTER_OTLP_ENDPOINT}, {@code
   * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}), and {@code OTEL_SDK_DISABLED} is not {@code true}; the
   * SDK then reads every {@code OTEL_*} variable it knows. Metrics and logs are not exported (they
   * have {@code /metrics} and the log); the service is {@code imgd} unless the variables name one.
   */
  static Traces fromEnvironment(Map<String, String> env) {
    if (!on(env)) {
      return OFF;
    }
    Map<String, String> properties = new HashMap<>();
    properties.put("otel.metrics.exporter", "none");
    properties.put("otel.logs.exporter", "none");
    // The build has the JDK's HTTP sender only (no gRPC, no OkHttp): OTLP over http/protobuf.
    properties.put("otel.exporter.otlp.protocol", "http/protobuf");
    env.forEach((k, v) -> {
      if (k.startsWith("OTEL_")) {
        properties.put(k.toLowerCase(Locale.ROOT).replace('_', '.'), v);
      }
    });
    OpenTelemetrySdk sdk;
    try {
      sdk =
          AutoConfiguredOpenTelemetrySdk.builder()
              .addPropertiesSupplier(() -> properties)
              .addResourceCustomizer((resource, config) ->
                  resource.getAttribute(SERVICE_NAME).startsWith("unknown_service")
                      ? resource.merge(Resource.builder().put(SERVICE_NAME, "imgd").build())
                      : resource)
              .build()
              .getOpenTelemetrySdk();
    } catch (ConfigurationException e) {
      throw new IllegalArgumentException("bad setting OTEL_*: " + e.getMessage(), e);
    }
    return new Traces(sdk, sdk::close);
  }

  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  private static boolean on(Map<String, String> env) {
    String exporter = env.getOrDefault("OTEL_TRACES_EXPORTER", "").strip();
    boolean asked =
        (!exporter.isEmpty() && !exporter.equalsIgnoreCase("none"))
            || !env.getOrDefault("OTEL_EXPORTER_OTLP_ENDPOINT", "").isBlank()
            || !env.getOrDefault("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").isBlank();
    return asked && !env.getOrDefault("OTEL_SDK_DISABLED", "").strip().equalsIgnoreCase("true");
  }

  boolean on() {
    return tracer != null;
  }

  /** The tracer; only when {@link #on()}. */
  Tracer tracer() {
    if (tracer == null) {
      throw new IllegalStateException("traces are off");
    }
    return tracer;
  }

  /** The propagators the SDK was configured with (W3C trace context by default). */
  TextMapPropagator propagator() {
    return otel == null ? TextMapPropagator.noop() : otel.getPropagators().getTextMapPropagator();
  }

  /**
   * {@code work} in a span named {@code name}, a child of the current one; a failure marks the span
   * with its stable code. Off, or outside a traced request, only the work runs.
   */
  <T extends @Nullable Object> T span(String name, Supplier<T> work) {
    if (tracer == null || !Span.current().getSpanContext().isValid()) {
      return work.get();
    }
    Span span = tracer.spanBuilder(name).startSpan();
    try (Scope _ = span.makeCurrent()) {
      return work.get();
    } catch (ImgdException e) {
      failed(span, e);
      throw e;
    } catch (RuntimeException | Error e) {
      span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
      throw e;
    } finally {
      span.end();
    }
  }

  /** As {@link #span(String, Supplier)} for work without a result. */
  void span(String name, Runnable work) {
    Supplier<@Nullable Void> asSupplier =
        () -> {
          work.run();
          return null;
        };
    span(name, asSupplier);
  }

  /** Marks {@code span} failed with {@code e}'s stable code and safe message. */
  static void failed(Span span, ImgdException e) {
    span.setAttribute(ERROR_TYPE, e.code().code());
    span.setStatus(StatusCode.ERROR, e.getMessage());
  }

  static final AttributeKey<Boolean> CACHE_HIT = AttributeKey.booleanKey("imgd.cache.hit");
  static final AttributeKey<String> INPUT_FORMAT = AttributeKey.stringKey("imgd.input.format");
  static final AttributeKey<String> OUTPUT_FORMAT = AttributeKey.stringKey("imgd.output.format");
  static final AttributeKey<String> OPTIONS = AttributeKey.stringKey("imgd.options");
  static final AttributeKey<Long> BYTES = AttributeKey.longKey("imgd.bytes");
  static final AttributeKey<Long> WIDTH = AttributeKey.longKey("imgd.width");
  static final AttributeKey<Long> HEIGHT = AttributeKey.longKey("imgd.height");
  static final AttributeKey<Long> FRAMES = AttributeKey.longKey("imgd.frames");
  static final AttributeKey<Long> SHRINK = AttributeKey.longKey("imgd.shrink_on_load");
  static final AttributeKey<Long> QUALITY = AttributeKey.longKey("imgd.quality");
  static final AttributeKey<Long> MEMORY = AttributeKey.longKey("imgd.memory_estimate");
  static final AttributeKey<Long> PASS = AttributeKey.longKey("imgd.pass");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<String> SCHEME = AttributeKey.stringKey("url.scheme");

  /** What the probe found and the plan's memory estimate, on the probe's span. */
  static void probed(Span span, Plan plan) {
    if (span.isRecording()) {
      span.setAttribute(INPUT_FORMAT, plan.input().extension())
          .setAttribute(WIDTH, (long) plan.geometry().sourceWidth())
          .setAttribute(HEIGHT, (long) plan.geometry().sourceHeight())
          .setAttribute(FRAMES, (long) plan.frames())
          .setAttribute(MEMORY, plan.memoryEstimate());
    }
  }

  /**
   * The job's steps, as its span's events in the order the pipeline runs them, pass by pass: the
   * load (its shrink-on-load), the resize, a watermark, the encode. The server knows them from the
   * plan; the worker is not traced (libvips computes lazily: the pixels are made in the encode).
   */
  static void planned(Span span, Plan plan) {
    if (!span.isRecording()) {
      return;
    }
    span.setAttribute(OPTIONS, plan.options().canonical());
    List<Plan> passes = plan.passes();
    for (int i = 0; i < passes.size(); i++) {
      Plan pass = passes.get(i);
      ResizePlan g = pass.geometry();
      if (i == 0) {
        span.addEvent(
            "load",
            Attributes.of(
                INPUT_FORMAT, plan.input().extension(), SHRINK, (long) pass.load().shrink()));
      }
      span.addEvent(
          "resize",
          Attributes.builder()
              .put(PASS, i)
              .put(WIDTH, g.width())
              .put(HEIGHT, g.height())
              .put("imgd.scale", g.scaleX())
              .build());
      if (pass.options().watermark().enabled()) {
        span.addEvent("watermark", Attributes.of(PASS, (long) i));
      }
    }
    span.addEvent(
        "encode",
        Attributes.of(
            OUTPUT_FORMAT,
            plan.output().format().extension(),
            QUALITY,
            (long) plan.output().quality()));
  }

  /** The job's output, on its span. */
  static void made(Span span, Imgd.Result result) {
    if (span.isRecording()) {
      span.setAttribute(OUTPUT_FORMAT, result.format().extension())
          .setAttribute(BYTES, (long) result.bytes().length);
    }
  }

  /** The origin (never the whole URL, whose query may hold a token), on the download's span. */
  static void downloading(Span span, URI source) {
    if (span.isRecording()) {
      span.setAttribute(SCHEME, String.valueOf(source.getScheme()));
      if (source.getHost() != null) {
        span.setAttribute(SERVER_ADDRESS, source.getHost());
      }
    }
  }

  /** The bytes downloaded, on the download's span. */
  static void downloaded(Span span, Fetched fetched) {
    if (span.isRecording()) {
      span.setAttribute(BYTES, (long) fetched.bytes().length);
    }
  }

  /** Flushes the spans not yet exported and stops the SDK. */
  @Override
  public void close() {
    shutdown.run();
  }
}
