package dev.imgd.server;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * The server span of each request (HTTP semantic conventions), a child of the caller's when the
 * request carries a {@code traceparent}; current while the request is handled, so the walk's spans
 * ({@link Traces#span}) hang under it, and its trace and span ids in the logging MDC ({@code
 * trace_id}, {@code span_id}), so every log line of the request names its trace. It ends when the
 * answer is written. In the chain only when traces are on; the operational endpoints get no span,
 * as they get no request metrics (probes and scrapes would drown the traces).
 */
final class TracingHandler extends Handler.Wrapper {
  static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
  static final AttributeKey<String> SCHEME = AttributeKey.stringKey("url.scheme");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
  static final AttributeKey<String> USER_AGENT = AttributeKey.stringKey("user_agent.original");
  static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("imgd.request_id");

  private static final TextMapGetter<HttpFields> HEADERS =
      new TextMapGetter<>() {
        @Override
        public @Nullable String get(@Nullable HttpFields fields, String key) {
          return fields == null ? null : fields.get(key);
        }
      };

  private final Traces traces;

  TracingHandler(Traces traces, Handler next) {
    super(next);
    this.traces = traces;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = request.getHttpURI().getPath();
    if (MetricsHandler.OPERATIONAL.contains(path)) {
      return super.handle(request, response, callback);
    }
    Context caller = traces.propagator().extract(Context.root(), request.getHeaders(), HEADERS);
    String method = request.getMethod();
    var span =
        traces
            .tracer()
            .spanBuilder(method)
            .setParent(caller)
            .setSpanKind(SpanKind.SERVER)
            .setAttribute(METHOD, method)
            .setAttribute(PATH, path)
            .setAttribute(SCHEME, request.getHttpURI().getScheme())
            .setAttribute(SERVER_PORT, (long) Request.getServerPort(request))
            .setAttribute(CLIENT_ADDRESS, Request.getRemoteAddr(request))
            .setAttribute(REQUEST_ID, RequestIds.id(request))
            .startSpan();
    String agent = request.getHeaders().get(HttpHeader.USER_AGENT);
    if (agent != null) {
      span.setAttribute(USER_AGENT, agent);
    }
    Callback ending =
        new Callback.Nested(callback) {
          @Override
          public void succeeded() {
            end(span, response, false);
            super.succeeded();
          }

          @Override
          public void failed(Throwable x) {
            end(span, response, true);
            super.failed(x);
          }
        };
    SpanContext ids = span.getSpanContext();
    MDC.put("trace_id", ids.getTraceId());
    MDC.put("span_id", ids.getSpanId());
    boolean handled = false;
    try (Scope _ = span.makeCurrent()) {
      handled = super.handle(request, response, ending);
      return handled;
    } finally {
      MDC.remove("trace_id");
      MDC.remove("span_id");
      if (!handled) {
        end(span, response, true);
      }
    }
  }

  /** The status on the span; a 5xx or a failed write is an error (a 4xx is the client's). */
  private static void end(Span span, Response response, boolean failed) {
    int status = response.getStatus();
    span.setAttribute(STATUS, (long) status);
    if (failed || status >= 500) {
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
  }
}
