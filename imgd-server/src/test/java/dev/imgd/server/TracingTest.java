package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.imgd.server.settings.Settings;
import dev.imgd.testkit.Fixtures;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * OpenTelemetry traces over real HTTP, the spans caught by the SDK's in-memory exporter: one
 * request's span tree in the isolated default mode, the caller's {@code traceparent} taken in and
 * passed on to an HTTP origin, the trace id in the request's log lines, a failure's stable code on
 * its spans, nothing at all when the {@code OTEL_*} variables do not switch traces on, and the
 * autoconfigured OTLP exporter sending to a real receiver.
 */
class TracingTest {
  private static final String CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c";
  private static final String CALLER_SPAN = "b7ad6b7169203331";
  private static final String TRACEPARENT = "00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01";

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final OpenTelemetrySdk otel =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(spans))
                  .build())
          .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
          .build();
  private final ListAppender<ILoggingEvent> access = new ListAppender<>();
  private final Logger accessLogger = (Logger) LoggerFactory.getLogger("imgd.access");
  private ScriptedOrigin origin;

  @BeforeEach
  void start() throws Exception {
    origin = new ScriptedOrigin();
    byte[] jpeg = Fixtures.bytes("Landscape_1.jpg");
    origin.script =
        r ->
            r.getHttpURI().getPath().equals("/a.jpg")
                ? ScriptedOrigin.Reply.ok(jpeg, "Content-Type", "image/jpeg")
                : new ScriptedOrigin.Reply(404, Map.of(), new byte[0]);
    access.start();
    accessLogger.addAppender(access);
    accessLogger.setLevel(Level.INFO);
  }

  @AfterEach
  void stop() throws Exception {
    accessLogger.detachAppender(access);
    accessLogger.setLevel(null);
    origin.close();
    otel.close();
  }

  private ImgdServer imgd(Map<String, String> extra, Traces traces) throws Exception {
    return ImgdServer.start(
        Settings.from(ServerTest.settings(Fixtures.images(), extra)), Faults.NONE, traces);
  }

  @Test
  void oneRequestsSpanTreeInTheIsolatedModeJoinsTheCallersTrace() throws Exception {
    HttpResponse<byte[]> r;
    try (ImgdServer s =
        imgd(Map.of("IMGD_MODE", "isolated", "IMGD_WORKERS", "1"), Traces.of(otel))) {
      r =
          origin.get(
              s,
              "/rs:fit:100:0/plain/" + origin.url("/a.jpg") + "@png",
              "traceparent",
              TRACEPARENT);
      assertThat(r.statusCode()).isEqualTo(200);
      awaitServerSpans(1);
    }
    SpanData server = serverSpans().getFirst();
    assertThat(server.getName()).isEqualTo("GET");
    assertThat(server.getTraceId()).isEqualTo(CALLER_TRACE);
    assertThat(server.getParentSpanId()).isEqualTo(CALLER_SPAN);
    assertThat(server.getAttributes().get(TracingHandler.METHOD)).isEqualTo("GET");
    assertThat(server.getAttributes().get(TracingHandler.STATUS)).isEqualTo(200L);
    assertThat(server.getAttributes().get(TracingHandler.REQUEST_ID))
        .isEqualTo(r.headers().firstValue("X-Request-Id").orElseThrow());
    assertThat(server.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);

    // The walk's steps, each a child of the request's span, in the order they ran.
    List<SpanData> children = childrenOf(server);
    assertThat(children)
        .extracting(SpanData::getName)
        .containsExactly(
            "cache lookup",
            "download",
            "admission",
            "probe",
            "reserve memory",
            "worker job",
            "cache fill");
    assertThat(children).allSatisfy(c -> assertThat(c.getTraceId()).isEqualTo(CALLER_TRACE));
    assertThat(named(children, "cache lookup").getAttributes().get(Traces.CACHE_HIT)).isFalse();
    SpanData probe = named(children, "probe");
    assertThat(probe.getAttributes().get(Traces.INPUT_FORMAT)).isEqualTo("jpg");
    assertThat(probe.getAttributes().get(Traces.WIDTH)).isPositive();
    SpanData job = named(children, "worker job");
    assertThat(job.getEvents())
        .extracting(EventData::getName)
        .containsExactly("load", "resize", "encode");
    assertThat(job.getEvents().get(1).getAttributes().get(Traces.WIDTH)).isEqualTo(100L);
    assertThat(job.getEvents().get(2).getAttributes().get(Traces.OUTPUT_FORMAT)).isEqualTo("png");
    assertThat(job.getAttributes().get(Traces.OPTIONS)).contains("100");
    assertThat(job.getAttributes().get(Traces.BYTES)).isEqualTo((long) r.body().length);

    // The origin was asked within the download's span: its traceparent names that span.
    SpanData download = named(children, "download");
    assertThat(download.getAttributes().get(Traces.SERVER_ADDRESS)).isEqualTo("127.0.0.1");
    HttpFields asked = origin.last();
    assertThat(asked.get("traceparent"))
        .isEqualTo("00-" + CALLER_TRACE + "-" + download.getSpanId() + "-01");

    // The request's access log line names its trace, in the JSON log too.
    ILoggingEvent line = access.list.getLast();
    assertThat(line.getMDCPropertyMap())
        .containsEntry("trace_id", CALLER_TRACE)
        .containsEntry("span_id", server.getSpanId());
    JsonEncoder json = new JsonEncoder(); // as the server's logback.xml configures it
    json.setContext(accessLogger.getLoggerContext());
    json.start();
    assertThat(new String(json.encode(line), StandardCharsets.UTF_8))
        .contains("\"trace_id\":\"" + CALLER_TRACE + "\"");
  }

  @Test
  void aFailureCarriesItsStableCodeAndAnUntracedCallerStartsATrace() throws Exception {
    try (ImgdServer s = imgd(Map.of(), Traces.of(otel))) {
      HttpResponse<byte[]> r = origin.get(s, "/rs:fit:100:0/plain/" + origin.url("/gone.jpg"));
      assertThat(r.statusCode()).isEqualTo(404);
      awaitServerSpans(1);
    }
    SpanData server = serverSpans().getFirst();
    assertThat(server.getParentSpanContext().isValid()).isFalse(); // a root: no traceparent came
    assertThat(server.getAttributes().get(Traces.ERROR_TYPE)).isEqualTo("source_not_found");
    assertThat(server.getAttributes().get(TracingHandler.STATUS)).isEqualTo(404L);
    assertThat(server.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET); // the client's
    SpanData download = named(childrenOf(server), "download");
    assertThat(download.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(download.getAttributes().get(Traces.ERROR_TYPE)).isEqualTo("source_not_found");
    assertThat(childrenOf(server)).extracting(SpanData::getName).doesNotContain("worker job");
  }

  @Test
  void offUnlessTheOtelVariablesSwitchTracesOn() throws Exception {
    assertThat(Traces.fromEnvironment(Map.of()).on()).isFalse();
    assertThat(Traces.fromEnvironment(Map.of("OTEL_SERVICE_NAME", "imgd")).on()).isFalse();
    assertThat(Traces.fromEnvironment(Map.of("OTEL_TRACES_EXPORTER", "none")).on()).isFalse();
    assertThat(
            Traces.fromEnvironment(
                    Map.of("OTEL_TRACES_EXPORTER", "otlp", "OTEL_SDK_DISABLED", "true"))
                .on())
        .isFalse();
    try (Traces on = Traces.fromEnvironment(Map.of("OTEL_TRACES_EXPORTER", "otlp"))) {
      assertThat(on.on()).isTrue();
    }

    // Off: no span, so no traceparent passed on and no trace id in the log, whatever came in.
    try (ImgdServer s = imgd(Map.of(), Traces.fromEnvironment(Map.of()))) {
      HttpResponse<byte[]> r =
          origin.get(
              s,
              "/rs:fit:100:0/plain/" + origin.url("/a.jpg") + "@png",
              "traceparent",
              TRACEPARENT);
      assertThat(r.statusCode()).isEqualTo(200);
    }
    assertThat(origin.last().get("traceparent")).isNull();
    assertThat(access.list).isNotEmpty();
    assertThat(access.list.getLast().getMDCPropertyMap()).doesNotContainKey("trace_id");
    assertThat(spans.getFinishedSpanItems()).isEmpty();
  }

  /**
   * Switched on by {@code OTEL_EXPORTER_OTLP_ENDPOINT} alone: the autoconfigured SDK posts the
   * spans as OTLP http/protobuf (the JDK's HttpClient: OkHttp is not in the build) to a real
   * receiver, flushed when the server stops.
   */
  @Test
  void theOtlpExporterSendsTheSpansToTheEndpoint() throws Exception {
    List<String> posts = new CopyOnWriteArrayList<>();
    try (ScriptedOrigin collector = new ScriptedOrigin()) {
      collector.script =
          r -> {
            posts.add(r.getMethod() + " " + r.getHttpURI().getPath());
            return ScriptedOrigin.Reply.ok(new byte[0], "Content-Type", "application/x-protobuf");
          };
      String endpoint = java.net.URLDecoder.decode(collector.url(""), StandardCharsets.UTF_8);
      Traces traces =
          Traces.fromEnvironment(
              Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint, "OTEL_SERVICE_NAME", "imgd-test"));
      assertThat(traces.on()).isTrue();
      try (ImgdServer s = imgd(Map.of(), traces)) {
        assertThat(origin.get(s, "/rs:fit:50:0/plain/" + origin.url("/a.jpg")).statusCode())
            .isEqualTo(200);
      } // close() flushes the batch
      assertThat(posts).contains("POST /v1/traces");
      assertThat(collector.last().get("Content-Type")).isEqualTo("application/x-protobuf");
    }
  }

  private List<SpanData> serverSpans() {
    return spans.getFinishedSpanItems().stream()
        .filter(s -> s.getKind() == SpanKind.SERVER)
        .toList();
  }

  private List<SpanData> childrenOf(SpanData parent) {
    return spans.getFinishedSpanItems().stream()
        .filter(s -> s.getParentSpanId().equals(parent.getSpanId()))
        .sorted(Comparator.comparingLong(SpanData::getStartEpochNanos))
        .toList();
  }

  private static SpanData named(List<SpanData> spans, String name) {
    return spans.stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
  }

  /** The server span ends when its answer is written, which may be after the client has it. */
  private void awaitServerSpans(int n) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (serverSpans().size() < n && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    assertThat(serverSpans()).hasSize(n);
  }
}
