package dev.imgd.worker;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Worker processes on one libvips build: {@code size} that take jobs plus a warm spare that takes
 * the place of one that dies, so the pool is back to strength as soon as the dead one is reaped. A
 * spare that dies while it waits is replaced as soon as the JDK reaps it.
 *
 * <p>A pool on demand (for formats few deployments see, like HEIC and PDF) costs no memory until
 * its first job: at start-up one worker only says what its libvips reads and writes, then exits.
 */
final class WorkerPool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Each worker's Java heap: it holds one source and one result at a time. */
  private static final int HEAP_MEGABYTES = 256;

  /** How long a new worker may take to say hello. */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  /**
   * The variables of the server's environment a worker keeps: what the dynamic linker, the
   * allocator (jemalloc by LD_PRELOAD, MALLOC_ARENA_MAX, MALLOC_CONF), libvips (VIPS_*, TMPDIR for
   * its temporary files), fontconfig (HOME) and the C library's locale read. Nothing else crosses:
   * the process that decodes hostile bytes holds no key, salt or cloud credential, and
   * JAVA_TOOL_OPTIONS and its kin cannot reach its JVM.
   */
  private static final Set<String> KEPT_VARIABLES =
      Set.of("PATH", "HOME", "LANG", "TZ", "TMPDIR", "LD_LIBRARY_PATH", "LD_PRELOAD");

  private static final List<String> KEPT_PREFIXES = List.of("LC_", "VIPS_", "MALLOC_");

  /**
   * jemalloc's options for a worker (glibc ignores them): pages a job freed are handed back within
   * a second by jemalloc's own thread, so an idle worker does not keep a large job's memory, and
   * one arena, as a worker runs one job at a time. The server's MALLOC_CONF (the launcher's, or the
   * operator's) is kept, with one arena added unless it names a number. W1, 400 requests at 16
   * connections: each worker's peak RSS 114-116 MiB against 135-141 with jemalloc's defaults, 95
   * MiB afterwards against 125-135.
   */
  static final String WORKER_MALLOC_CONF =
      "dirty_decay_ms:1000,muzzy_decay_ms:0,background_thread:true,narenas:1";

  /** How long close() waits for jobs in flight. */
  private static final Duration DRAIN = Duration.ofSeconds(30);

  /** Prefixes this pool's files in the engine's directory, which every pool shares. */
  private final String name;

  final Path library;
  private final int size;
  private volatile boolean started;
  private final IsolatedEngine.Settings settings;
  private final Path dir;
  private final BlockingQueue<Worker> idle = new LinkedBlockingQueue<>();

  /**
   * Every live worker that serves jobs (busy or idle), for the watchdog; the spare is not in it.
   */
  final Set<Worker> workers = ConcurrentHashMap.newKeySet();

  private final ExecutorService spawner;
  private final AtomicInteger serial = new AtomicInteger();
  private @Nullable CompletableFuture<Worker> spare;
  private volatile boolean closed;

  final AtomicLong replaced = new AtomicLong();
  final Map<Worker.Death, AtomicLong> deaths = new EnumMap<>(Worker.Death.class);

  /** stable, or canary for the pool on a build under trial ({@link Canary}). */
  final String role;

  /** Jobs answered or lost, failures by code (a worker's death by its typed error's). */
  final AtomicLong jobs = new AtomicLong();

  final Map<ErrorCode, AtomicLong> failures = new EnumMap<>(ErrorCode.class);

  /** The jobs of the last window: latency, failures, peak worker memory. */
  final Window window;

  volatile long lastStartNanos;
  final String libvipsVersion;
  final Set<ImageFormat> reads;
  final Set<ImageFormat> writes;
  final long baselineRss;

  WorkerPool(
      int index,
      String role,
      Path library,
      int size,
      boolean onDemand,
      IsolatedEngine.Settings settings,
      Path dir) {
    this.name = "p" + index;
    this.role = role;
    this.window = new Window(settings.window());
    this.library = library;
    this.size = size;
    this.settings = settings;
    this.dir = dir;
    for (Worker.Death d : Worker.Death.values()) {
      deaths.put(d, new AtomicLong());
    }
    for (ErrorCode c : ErrorCode.values()) {
      failures.put(c, new AtomicLong());
    }
    this.spawner =
        Executors.newThreadPerTaskExecutor(Thread.ofPlatform().name("imgd-spawn-", 0).factory());
    List<CompletableFuture<Worker>> starting = new ArrayList<>();
    for (int i = 0; i < (onDemand ? 1 : size); i++) {
      starting.add(CompletableFuture.supplyAsync(this::spawn, spawner));
    }
    try {
      for (CompletableFuture<Worker> f : starting) {
        Worker w = f.join();
        workers.add(w);
        idle.add(w);
      }
    } catch (RuntimeException e) {
      close();
      throw new IllegalStateException(
          "cannot start workers on " + library.getFileName() + ": " + e.getMessage(), e);
    }
    Worker first = workers.iterator().next();
    this.libvipsVersion = first.libvipsVersion;
    this.reads = first.reads;
    this.writes = first.writes;
    this.baselineRss = first.baselineRss;
    if (onDemand) {
      workers.clear();
      idle.clear();
      // Killed, not stopped: a clean exit this early would write a class-data archive that holds
      // only start-up classes, and every later worker would use it.
      first.process.destroyForcibly();
      first.close();
    } else {
      started = true;
      synchronized (this) {
        this.spare = newSpare();
      }
    }
  }

  /** Workers that take jobs once started; 0 for a pool on demand that has had no job yet. */
  int size() {
    return started ? size : 0;
  }

  /** Starts a pool on demand on its first job; the job waits for the first worker to start. */
  private synchronized void start() {
    if (started || closed) {
      return;
    }
    started = true;
    LOG.info("starting {} workers on {} for their first job", size, library.getFileName());
    for (int i = 0; i < size; i++) {
      onStart(CompletableFuture.supplyAsync(this::spawnRetrying, spawner), this::admit);
    }
    spare = newSpare();
  }

  /** A new worker starts taking jobs (or stops at once if the pool closed meanwhile). */
  private void admit(Worker w) {
    if (closed) {
      w.stop();
      return;
    }
    workers.add(w);
    idle.add(w);
  }

  /** An idle, live worker, waiting for one until the deadline. */
  Worker take(Instant deadline) {
    if (!started) {
      start();
    }
    try {
      while (true) {
        long wait = Math.max(0, Duration.between(Instant.now(), deadline).toNanos());
        Worker w = idle.poll(wait, TimeUnit.NANOSECONDS);
        if (w == null) {
          throw new ImgdException(
              ErrorCode.DEADLINE_EXCEEDED, "no image worker was free before the deadline");
        }
        if (w.healthy()) {
          return w;
        }
        lostWhileIdle(w); // killed from outside (e.g. the OOM killer): no job of ours to fail
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ImgdException(ErrorCode.DEADLINE_EXCEEDED, "interrupted waiting for a worker", e);
    }
  }

  /** Back to the idle queue, or replaced if it died or was killed meanwhile. */
  void release(Worker w) {
    w.killAtNanos = 0;
    if (w.healthy() && !closed) {
      idle.add(w);
    } else {
      replace(w);
    }
  }

  /** Reaps a dead worker and puts the spare (or a new worker) in its place. */
  void replace(Worker dead) {
    dead.killAtNanos = 0;
    if (!workers.remove(dead)) {
      return;
    }
    dead.kill(Worker.Death.CRASH); // no-op if already gone; the first recorded cause stands
    dead.close();
    replaced.incrementAndGet();
    if (closed) {
      return;
    }
    CompletableFuture<Worker> next;
    synchronized (this) {
      next = spare != null ? spare : CompletableFuture.supplyAsync(this::spawnRetrying, spawner);
      spare = newSpare();
    }
    onStart(next, this::admit);
  }

  /**
   * A warm spare starting (null when the settings keep none), watched while it waits: if it dies
   * (the OOM killer picks an idle JVM as readily as a busy one), another starts at once.
   */
  private @Nullable CompletableFuture<Worker> newSpare() {
    if (!settings.spare()) {
      return null;
    }
    CompletableFuture<Worker> starting =
        CompletableFuture.supplyAsync(this::spawnRetrying, spawner);
    onStart(starting, this::watchSpare);
    return starting;
  }

  private void watchSpare(Worker w) {
    var _ = w.process.onExit().thenRun(() -> spareDied(w));
  }

  /** Replaces the spare that died, unless it had already taken a worker's place (or we close). */
  private synchronized void spareDied(Worker w) {
    if (spare == null || spare.getNow(null) != w || closed) {
      return; // promoted to a worker, which the watchdog watches; or stopped by close()
    }
    Worker.Death death = w.death();
    counted(death);
    LOG.warn("the spare {} died: {} ({}); starting another", w, death, w.crashDetail());
    w.close();
    replaced.incrementAndGet();
    spare = newSpare();
  }

  /** A worker that died with no job: counted by its cause and replaced. */
  synchronized void lostWhileIdle(Worker w) {
    if (workers.contains(w)) {
      idle.remove(w);
      Worker.Death death = w.death();
      counted(death);
      LOG.warn("{} died while idle: {} ({}); replacing it", w, death, w.crashDetail());
      replace(w);
    }
  }

  /** One job done on this pool: counted, and in the window. */
  void done(long nanos, @Nullable ErrorCode failure, long peakBytes) {
    jobs.incrementAndGet();
    if (failure != null) {
      Objects.requireNonNull(failures.get(failure), "every code is counted").incrementAndGet();
    }
    window.add(nanos, failure != null, peakBytes);
  }

  /** Workers lost under or between jobs by crash, out of memory or the memory cap. */
  long crashes() {
    return deaths.entrySet().stream()
        .filter(e -> e.getKey().quarantines())
        .mapToLong(e -> e.getValue().get())
        .sum();
  }

  void counted(Worker.Death death) {
    Objects.requireNonNull(deaths.get(death), "every death is counted").incrementAndGet();
  }

  /** Whether the warm spare has started and waits to take a dead worker's place. */
  synchronized boolean spareReady() {
    return spare != null
        && spare.isDone()
        && !spare.isCompletedExceptionally()
        && spare.join().process.isAlive();
  }

  /** Starts workers until one starts: the pool must never shrink for good. */
  private Worker spawnRetrying() {
    long backoff = 100;
    while (true) {
      try {
        return spawn();
      } catch (RuntimeException e) {
        if (closed) {
          throw e;
        }
        LOG.error(
            "cannot start a worker on {}, retrying: {}", library.getFileName(), e.getMessage());
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
        backoff = Math.min(10_000, backoff * 2);
      }
    }
  }

  /** Starts one worker and waits for its hello on a socket of its own. */
  private Worker spawn() {
    long t0 = System.nanoTime();
    int n = serial.incrementAndGet();
    Path socket = dir.resolve(name + "w" + n + ".sock");
    Path errorFile = dir.resolve(name + "w" + n + ".hs_err.log");
    String token = HexFormat.of().formatHex(RANDOM.generateSeed(16));
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      ProcessBuilder pb = new ProcessBuilder(command(socket, errorFile));
      pb.environment().clear();
      pb.environment().putAll(environment(System.getenv(), token));
      pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
      pb.redirectError(ProcessBuilder.Redirect.INHERIT);
      Process process = pb.start();
      // If the process dies or hangs before it connects, closing the socket ends the accept.
      CompletableFuture<?> watch =
          process
              .onExit()
              .thenRun(() -> closeQuietly(server))
              .orTimeout(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .exceptionally(t -> {
                process.destroyForcibly();
                closeQuietly(server);
                return null;
              });
      SocketChannel channel;
      try {
        channel = server.accept();
      } catch (IOException e) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "the worker did not connect (exit status "
                + process.onExit().get(5, TimeUnit.SECONDS).exitValue()
                + ")");
      } finally {
        Files.deleteIfExists(socket);
      }
      WorkerClient client = new WorkerClient(channel);
      try {
        Wire.Hello hello = client.hello(token);
        if (hello.pid() != process.pid()) {
          throw new IOException("pid " + hello.pid() + " is not " + process.pid());
        }
        watch.cancel(false);
        Worker w = new Worker(process, client, hello, errorFile);
        lastStartNanos = System.nanoTime() - t0;
        LOG.debug("{} started in {} ms", w, lastStartNanos / 1_000_000);
        return w;
      } catch (IOException e) {
        process.destroyForcibly();
        client.close();
        throw new IllegalStateException("worker handshake failed: " + e.getMessage(), e);
      }
    } catch (IOException | ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot start a worker: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted starting a worker", e);
    }
  }

  /** A worker's whole environment: the kept part of the server's, and its token. */
  static Map<String, String> environment(Map<String, String> server, String token) {
    Map<String, String> env = new HashMap<>();
    server.forEach((name, value) -> {
      if (KEPT_VARIABLES.contains(name) || KEPT_PREFIXES.stream().anyMatch(name::startsWith)) {
        env.put(name, value);
      }
    });
    env.merge(
        "MALLOC_CONF",
        WORKER_MALLOC_CONF,
        (conf, ours) -> conf.contains("narenas") ? conf : conf + ",narenas:1");
    env.put(WorkerMain.TOKEN_ENV, token);
    return env;
  }

  private List<String> command(Path socket, Path errorFile) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    if (settings.classDataArchive() != null) {
      // The JDK writes the archive on the first clean exit and maps it on every later start.
      cmd.add("-XX:SharedArchiveFile=" + settings.classDataArchive());
      cmd.add("-XX:+AutoCreateSharedArchive");
    }
    cmd.add("-Xshare:auto");
    cmd.add("-Xlog:cds=off,cds+dynamic=off");
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    // A small heap to start with, which the worker shrinks back to between jobs (WorkerMain):
    // the JVM's default started it at the maximum, and large sources left it all resident.
    cmd.add("-Xms16m");
    cmd.add("-Xmx" + HEAP_MEGABYTES + "m");
    // A worker holds one job's bytes at a time: a small young generation is enough, and its
    // RSS stays lower while young (W1, 25 s: 150 MiB per worker against 218); after minutes of
    // load libvips' own memory dominates either way (180-200 MiB).
    cmd.add("-Xmn8m");
    cmd.add("-XX:+ExitOnOutOfMemoryError");
    cmd.add("-XX:-CreateCoredumpOnCrash");
    cmd.add("-XX:ErrorFile=" + errorFile);
    cmd.add("-XX:+DisplayVMOutputToStderr");
    cmd.add("-Dimgd.libvips=" + library);
    cmd.add("-cp");
    // The server's own classpath: under test it holds the tests' JobInterceptor, in production
    // none.
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(WorkerMain.class.getName());
    cmd.add(socket.toString());
    return cmd;
  }

  private static void closeQuietly(ServerSocketChannel c) {
    try {
      c.close();
    } catch (IOException e) {
      // already closed
    }
  }

  /** Lets jobs in flight finish (for at most {@link #DRAIN}), then stops every worker. */
  @Override
  public void close() {
    closed = true;
    long until = System.nanoTime() + DRAIN.toNanos();
    while (workers.stream().anyMatch(Worker::busy) && System.nanoTime() < until) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    for (Worker w : workers) {
      w.stop();
    }
    workers.clear();
    idle.clear();
    CompletableFuture<Worker> s;
    synchronized (this) {
      s = spare;
      spare = null;
    }
    if (s != null) {
      onStart(s, Worker::stop);
    }
    spawner.shutdown();
  }

  /** Runs {@code then} on the worker once it has started; a failure is logged, not lost. */
  private void onStart(CompletableFuture<Worker> starting, Consumer<Worker> then) {
    starting
        .thenAccept(then)
        .exceptionally(e -> {
          if (!closed) { // closing stops the starts on purpose
            LOG.warn("a worker did not start or could not be taken in", e);
          }
          return null;
        });
  }
}
