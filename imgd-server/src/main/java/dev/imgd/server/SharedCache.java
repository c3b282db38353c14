package dev.imgd.server;

import dev.imgd.worker.IsolatedEngine;
import dev.imgd.worker.Quarantined;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared tier in Redis (issue 19), behind the memory tier: results every instance can serve,
 * the lock that lets one instance render a variant the others wait for, and the cluster's
 * quarantine.
 *
 * <p>Redis slow or away never fails a request and never holds one past the command timeout: every
 * command is bounded (IMGD_REDIS_TIMEOUT), a circuit breaker stops calling Redis when it fails (one
 * log line and a metric per state change), and meanwhile the memory tier serves alone. Lettuce
 * reconnects by itself; the breaker's half-open calls bring the tier back within seconds.
 *
 * <p>A value is an {@link ResultCache.Entry} in a compact binary layout that starts with a version
 * byte (never Java serialization); a value that does not decode is a miss.
 */
final class SharedCache implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SharedCache.class);
  private static final byte VERSION = 1;
  private static final String RESULTS = "imgd:result:";
  private static final String LOCKS = "imgd:lock:";
  private static final String QUARANTINE = "imgd:quarantine";
  private static final Duration POLL = Duration.ofMillis(20);
  private static final Duration RETRY = Duration.ofMillis(500);
  private static final Duration BOARD_TIMEOUT = Duration.ofSeconds(2);
  private static final String UNLOCK =
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end"
          + " return 0";

  private final RedisClient client;
  private final ClientResources resources;
  private final String where;
  private final Duration ttl;
  private final long maxValueBytes;
  private final Duration timeout;
  private final Duration lockWait;
  private final CircuitBreaker breaker;
  private final Metrics metrics;
  private final String instance = Long.toHexString(new java.security.SecureRandom().nextLong());
  private volatile @Nullable StatefulRedisConnection<String, byte[]> connection;
  private volatile @Nullable StatefulRedisPubSubConnection<String, String> pubSub;
  private volatile @Nullable IsolatedEngine engine;
  private final java.util.concurrent.atomic.AtomicReference<CircuitBreaker.State> seen =
      new java.util.concurrent.atomic.AtomicReference<>(CircuitBreaker.State.CLOSED);
  private volatile boolean closed;

  /**
   * @param url the redis:// URL (its password is never logged)
   * @param ttl how long a result stays in Redis
   * @param maxValueBytes the largest value stored, encoded
   * @param timeout each command's bound
   * @param lockWait the longest an instance waits for another's render of the same variant
   */
  SharedCache(
      String url,
      Duration ttl,
      long maxValueBytes,
      Duration timeout,
      Duration lockWait,
      Metrics metrics) {
    RedisURI uri = RedisURI.create(url);
    this.where = uri.getHost() + ":" + uri.getPort();
    this.ttl = ttl;
    this.maxValueBytes = maxValueBytes;
    this.timeout = timeout;
    this.lockWait = lockWait;
    this.metrics = metrics;
    // One I/O thread and one computation thread: a few commands per request need no more.
    this.resources =
        DefaultClientResources.builder()
            .ioThreadPoolSize(1)
            .computationThreadPoolSize(1)
            .reconnectDelay(Delay.constant(RETRY))
            .build();
    this.client = RedisClient.create(resources, uri);
    long timeoutMillis = Math.max(1, timeout.toMillis());
    client.setOptions(
        ClientOptions.builder()
            // Away is a miss at once, not a command queued until Redis comes back.
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .socketOptions(SocketOptions.builder().connectTimeout(BOARD_TIMEOUT).build())
            .timeoutOptions(
                TimeoutOptions.builder()
                    .timeoutSource(
                        new TimeoutOptions.TimeoutSource() {
                          @Override
                          public long getTimeout(
                              io.lettuce.core.protocol.RedisCommand<?, ?, ?> command) {
                            // Off the requests' path: the quarantine's read and subscription.
                            ProtocolKeyword type = command.getType();
                            return type == CommandType.ZRANGEBYSCORE
                                    || type == CommandType.SUBSCRIBE
                                ? BOARD_TIMEOUT.toMillis()
                                : timeoutMillis;
                          }
                        })
                    .build())
            .build());
    this.breaker =
        CircuitBreaker.of(
            "redis",
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(20)
                .minimumNumberOfCalls(10)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(1))
                .permittedNumberOfCallsInHalfOpenState(3)
                .build());
    metrics.redis(this);
    client.addListener(
        new RedisConnectionStateListener() {
          @Override
          public void onRedisConnected(
              io.lettuce.core.RedisChannelHandler<?, ?> c, SocketAddress address) {
            // Read the quarantine's set again: entries may have come while this one was away.
            Thread.ofVirtual().name("imgd-redis-quarantine").start(SharedCache.this::readBoard);
          }
        });
    Thread.ofPlatform().daemon().name("imgd-redis-connect").start(this::connect);
  }

  /** Connects, again every half second until Redis answers; Lettuce reconnects after that. */
  private void connect() {
    boolean warned = false;
    while (!closed) {
      StatefulRedisConnection<String, byte[]> c = null;
      StatefulRedisPubSubConnection<String, String> p = null;
      try {
        c = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        p = client.connectPubSub();
        p.addListener(
            new RedisPubSubAdapter<>() {
              @Override
              public void message(String channel, String message) {
                received(message);
              }
            });
        p.sync().subscribe(QUARANTINE);
        connection = c;
        pubSub = p;
        LOG.info("shared cache on Redis at {}", where);
        readBoard();
        return;
      } catch (RuntimeException e) {
        if (c != null) {
          c.close(); // both or neither
        }
        if (p != null) {
          p.close();
        }
        if (!warned) {
          LOG.warn(
              "shared cache: Redis at {} does not answer ({}); the memory tier serves alone until"
                  + " it does",
              where,
              e.getClass().getSimpleName());
          warned = true;
        }
        try {
          Thread.sleep(RETRY);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  /** Whether a connection is up and the breaker lets calls through (a gauge, and tests). */
  boolean available() {
    StatefulRedisConnection<String, byte[]> c = connection;
    return c != null && c.isOpen() && breaker.getState() != CircuitBreaker.State.OPEN;
  }

  /**
   * The result under {@code key}: from Redis, or else after another instance's render of it when
   * one holds its lock (for a part of the time left at most). Empty when this instance is to render
   * it: it then holds the lock, which closing the lookup releases (or Redis is away, or the wait
   * ran out). A value that does not decode is a miss. Counted once, as hit, miss or error.
   */
  Lookup lookup(String key, Instant deadline) {
    try {
      ResultCache.Entry entry = read(key);
      Lookup found = entry != null ? new Lookup(entry, () -> {}) : lockOrWait(key, deadline);
      ResultCache.Entry e = found.entry();
      metrics.cache("shared", e != null ? "hit" : "miss", e != null ? e.bytes().length : 0);
      return found;
    } catch (Unavailable e) {
      metrics.cache("shared", "error", 0);
      return Lookup.MISS;
    }
  }

  private ResultCache.@Nullable Entry read(String key) {
    byte[] value = call(a -> a.get(RESULTS + key));
    ResultCache.Entry entry = value == null ? null : decode(value);
    if (value != null && entry == null) {
      LOG.warn("shared cache: a value that does not decode under a result key; taken as a miss");
    }
    return entry;
  }

  /**
   * Stores a result for the other instances, without waiting for Redis: a value over
   * IMGD_REDIS_MAX_VALUE_BYTES is not stored.
   */
  void put(String key, ResultCache.Entry entry) {
    if (entry.bytes().length > maxValueBytes) {
      metrics.redisSkipped();
      return;
    }
    byte[] value = encode(entry);
    if (value.length > maxValueBytes) {
      metrics.redisSkipped();
      return;
    }
    send(a -> a.set(RESULTS + key, value, SetArgs.Builder.px(ttl.toMillis())));
  }

  /** Takes the render of {@code key} (SET NX PX, until the deadline at most), or waits for it. */
  private Lookup lockOrWait(String key, Instant deadline) {
    String lock = LOCKS + key;
    long holdMillis = Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
    String token = instance + ":" + Thread.currentThread().threadId();
    String ok = call(a -> a.set(lock, token.getBytes(UTF_8), SetArgs.Builder.nx().px(holdMillis)));
    if ("OK".equals(ok)) {
      return new Lookup(null, () -> send(a -> unlock(a, lock, token)));
    }
    // Another instance renders it: wait for its value, for a part of the time left at most.
    long left = Duration.between(Instant.now(), deadline).toNanos();
    long until = System.nanoTime() + Math.min(lockWait.toNanos(), left / 2);
    while (System.nanoTime() - until < 0) {
      try {
        Thread.sleep(POLL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Lookup.MISS;
      }
      ResultCache.Entry landed = read(key);
      if (landed != null) {
        return new Lookup(landed, () -> {});
      }
      Long locked = call(a -> a.exists(lock));
      if (locked == null || locked == 0) {
        return Lookup.MISS; // its render failed, or its result was not stored: render here
      }
    }
    return Lookup.MISS;
  }

  private static CompletionStage<Long> unlock(
      RedisAsyncCommands<String, byte[]> a, String lock, String token) {
    return a.eval(UNLOCK, ScriptOutputType.INTEGER, new String[] {lock}, token.getBytes(UTF_8));
  }

  /**
   * What the shared tier had: a result from another instance, or nothing (then {@link #close()}
   * releases this instance's lock, if it took one).
   */
  record Lookup(ResultCache.@Nullable Entry entry, Runnable release) implements AutoCloseable {
    static final Lookup MISS = new Lookup(null, () -> {});

    @Override
    public void close() {
      release.run();
    }
  }

  /** Redis away, slow, or the breaker open: the caller goes on without the shared tier. */
  private static final class Unavailable extends RuntimeException {
    Unavailable() {
      super(null, null, false, false);
    }
  }

  /** One command, bounded by the timeout, through the breaker. */
  private <T> @Nullable T call(
      Function<RedisAsyncCommands<String, byte[]>, CompletionStage<T>> command) {
    return call(command, timeout);
  }

  private <T> @Nullable T call(
      Function<RedisAsyncCommands<String, byte[]>, CompletionStage<T>> command, Duration bound) {
    StatefulRedisConnection<String, byte[]> c = connection;
    if (c == null || !permitted()) {
      throw new Unavailable();
    }
    long t0 = System.nanoTime();
    try {
      T result =
          command
              .apply(c.async())
              .toCompletableFuture()
              .get(bound.toNanos() + TimeUnit.MILLISECONDS.toNanos(1), TimeUnit.NANOSECONDS);
      done(t0, null);
      return result;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      done(t0, e);
      throw new Unavailable();
    } catch (InterruptedException e) {
      breaker.releasePermission();
      noticeState();
      Thread.currentThread().interrupt();
      throw new Unavailable();
    }
  }

  /** One command sent without waiting for its answer, through the breaker. */
  private void send(Function<RedisAsyncCommands<String, byte[]>, CompletionStage<?>> command) {
    StatefulRedisConnection<String, byte[]> c = connection;
    if (c == null || !permitted()) {
      return;
    }
    long t0 = System.nanoTime();
    try {
      command.apply(c.async()).whenComplete((r, e) -> done(t0, e));
    } catch (RuntimeException e) {
      done(t0, e);
    }
  }

  private boolean permitted() {
    boolean permitted = breaker.tryAcquirePermission(); // may move it from open to half-open
    noticeState();
    return permitted;
  }

  /** A call's outcome, for the breaker. */
  private void done(long t0, @Nullable Throwable failure) {
    long took = System.nanoTime() - t0;
    if (failure == null) {
      breaker.onSuccess(took, TimeUnit.NANOSECONDS);
    } else {
      breaker.onError(took, TimeUnit.NANOSECONDS, failure);
    }
    noticeState();
  }

  /** One log line and a metric per change of the breaker's state (checked after every call). */
  private void noticeState() {
    CircuitBreaker.State now = breaker.getState();
    CircuitBreaker.State was = seen.getAndSet(now);
    if (was != now) {
      LOG.warn(
          "shared cache at {}: circuit breaker {} -> {}{}",
          where,
          was,
          now,
          now == CircuitBreaker.State.OPEN ? " (the memory tier serves alone)" : "");
      metrics.redisBreaker(now.name().toLowerCase(java.util.Locale.ROOT));
    }
  }

  // The shared quarantine: a sorted set (member: SHA-256 in hex and the cause; score: when its
  // quarantine ends) read at start and on every reconnect, and a channel for what comes after.

  /** Shares {@code engine}'s quarantine with the other instances through Redis. */
  void shareQuarantine(IsolatedEngine engine) {
    this.engine = engine;
    engine.shareQuarantine(this::post);
    readBoard();
  }

  private void post(Quarantined entry) {
    String member = member(entry);
    long until = entry.until().toEpochMilli();
    send(a -> a.zadd(QUARANTINE, (double) until, member.getBytes(UTF_8)));
    send(a -> a.zremrangebyscore(QUARANTINE, Range.create(0L, System.currentTimeMillis())));
    send(a -> a.pexpire(QUARANTINE, Math.max(1, until - System.currentTimeMillis())));
    StatefulRedisPubSubConnection<String, String> p = pubSub;
    if (p != null && permitted()) {
      long t0 = System.nanoTime();
      p.async().publish(QUARANTINE, member + " " + until).whenComplete((r, e) -> done(t0, e));
    }
  }

  private static final java.nio.charset.Charset UTF_8 = java.nio.charset.StandardCharsets.UTF_8;

  private static String member(Quarantined q) {
    return HexFormat.of().formatHex(q.sha256()) + (q.crashed() ? ":crash" : ":memory");
  }

  /** An entry another instance posted: "{sha256 hex}:{cause} {until, epoch ms}". */
  private void received(String message) {
    int space = message.indexOf(' ');
    if (space < 0) {
      return;
    }
    try {
      take(message.substring(0, space), Long.parseLong(message.substring(space + 1)));
    } catch (IllegalArgumentException e) {
      LOG.warn("shared cache: a quarantine message that does not parse; ignored");
    }
  }

  private void take(String member, long untilMillis) {
    IsolatedEngine e = engine;
    if (e == null || member.indexOf(':') != 64) {
      return;
    }
    e.quarantine(
        new Quarantined(
            HexFormat.of().parseHex(member, 0, 64),
            member.endsWith(":crash"),
            Instant.ofEpochMilli(untilMillis)));
    metrics.quarantineReceived();
  }

  /** Reads the quarantine's set: what was posted while this instance was away or not started. */
  private void readBoard() {
    if (engine == null || connection == null) {
      return;
    }
    try {
      List<io.lettuce.core.ScoredValue<byte[]>> entries =
          call(
              a ->
                  a.zrangebyscoreWithScores(
                      QUARANTINE,
                      Range.from(
                          Range.Boundary.including(System.currentTimeMillis()),
                          Range.Boundary.unbounded())),
              BOARD_TIMEOUT);
      if (entries != null) {
        for (var e : entries) {
          take(new String(e.getValue(), UTF_8), (long) e.getScore());
        }
      }
    } catch (Unavailable | IllegalArgumentException e) {
      LOG.debug("shared cache: the quarantine's set could not be read", e);
    }
  }

  // The value layout, version 1: version byte, flags (vary Accept; which optional headers
  // follow), content type, ETag, then the origin's Last-Modified, Cache-Control and Expires if any
  // (each in modified UTF-8 with a 2-byte length), then the length of the bytes and the bytes.

  private static final int VARY_ACCEPT = 1;
  private static final int LAST_MODIFIED = 2;
  private static final int CACHE_CONTROL = 4;
  private static final int EXPIRES = 8;

  static byte[] encode(ResultCache.Entry e) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(e.bytes().length + 128);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.writeByte(
          (e.varyAccept() ? VARY_ACCEPT : 0)
              | flag(e.lastModified(), LAST_MODIFIED)
              | flag(e.originCacheControl(), CACHE_CONTROL)
              | flag(e.originExpires(), EXPIRES));
      out.writeUTF(e.contentType());
      out.writeUTF(e.etag());
      for (String text :
          new String[] {e.lastModified(), e.originCacheControl(), e.originExpires()}) {
        if (text != null) {
          out.writeUTF(text);
        }
      }
      out.writeInt(e.bytes().length);
      out.write(e.bytes());
    } catch (IOException impossible) {
      throw new IllegalStateException(impossible); // in memory
    }
    return bytes.toByteArray();
  }

  private static int flag(@Nullable String text, int flag) {
    return text == null ? 0 : flag;
  }

  /** The entry, or null for a value of another version or layout (a miss, never an error). */
  static ResultCache.@Nullable Entry decode(byte[] value) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
      if (in.readByte() != VERSION) {
        return null;
      }
      int flags = in.readUnsignedByte();
      String contentType = in.readUTF();
      String etag = in.readUTF();
      String lastModified = (flags & LAST_MODIFIED) != 0 ? in.readUTF() : null;
      String cacheControl = (flags & CACHE_CONTROL) != 0 ? in.readUTF() : null;
      String expires = (flags & EXPIRES) != 0 ? in.readUTF() : null;
      int length = in.readInt();
      if (flags > 15 || length < 0 || length != in.available() || !contentType.contains("/")) {
        return null;
      }
      return new ResultCache.Entry(
          in.readNBytes(length),
          contentType,
          etag,
          (flags & VARY_ACCEPT) != 0,
          lastModified,
          cacheControl,
          expires);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  @Override
  @SuppressWarnings("FutureReturnValueIgnored") // the client's shutdown waited for its connections
  public void close() {
    closed = true;
    try {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    } finally {
      resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }
}
