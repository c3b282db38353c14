package dev.imgd.server;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Slowloris (issue 15): a request head (request line and headers) must arrive whole within the
 * header timeout, or its connection is closed. Jetty's idle timeout restarts with every byte and it
 * has no deadline for a whole head, so one header line every 12-20 s held a connection for ever. A
 * sweep, a tenth of the timeout apart, notes when each connection's parser is first seen inside a
 * head and closes the connection once that same head (same count of requests) is older than the
 * timeout; a head is cut between the timeout and the timeout plus two sweeps.
 */
final class HeadDeadline extends AbstractLifeCycle implements Connection.Listener {
  /** When a connection's current head was first seen, and which request it is. */
  private record Head(long request, long since) {}

  private final long timeout;
  private final long sweep;
  private final Scheduler scheduler;
  private final Runnable onCut;
  private final Map<HttpConnection, Head> open = new ConcurrentHashMap<>();
  private volatile Scheduler.Task next = () -> false;

  HeadDeadline(Duration timeout, Scheduler scheduler, Runnable onCut) {
    this.timeout = timeout.toNanos();
    this.sweep = Math.max(TimeUnit.MILLISECONDS.toNanos(50), this.timeout / 10);
    this.scheduler = scheduler;
    this.onCut = onCut;
  }

  @Override
  public void onOpened(Connection connection) {
    if (connection instanceof HttpConnection http) {
      open.put(http, new Head(-1, 0));
    }
  }

  @Override
  public void onClosed(Connection connection) {
    open.remove(connection);
  }

  @Override
  protected void doStart() {
    schedule();
  }

  @Override
  protected void doStop() {
    next.cancel();
  }

  private void schedule() {
    next = scheduler.schedule(this::sweep, sweep, TimeUnit.NANOSECONDS);
  }

  private void sweep() {
    long now = System.nanoTime();
    open.replaceAll((connection, head) -> check(connection, head, now));
    if (isRunning()) {
      schedule();
    }
  }

  private Head check(HttpConnection connection, Head head, long now) {
    HttpParser parser = connection.getParser();
    if (parser.isStart() || !parser.inHeaderState()) {
      return new Head(-1, 0); // between requests (the idle timeout's part) or past the head
    }
    long request = connection.getMessagesIn();
    if (head.request() != request) {
      return new Head(request, now);
    }
    if (now - head.since() > timeout) {
      onCut.run();
      connection.getEndPoint().close();
    }
    return head;
  }
}
