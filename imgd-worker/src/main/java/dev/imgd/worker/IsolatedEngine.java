package dev.imgd.worker;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.imgd.core.Engine;
import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.core.pipeline.Pipeline;
import dev.imgd.core.pipeline.Verifier;
import dev.imgd.core.plan.Plan;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine in isolated worker processes (FM-20): each worker runs one image at a time with one
 * libvips thread; a watchdog kills a worker whose job overruns its deadline plus a grace, or whose
 * resident memory passes the cap; a crashed or killed worker fails only its own job, with a typed
 * error, and a warm spare takes its place. An input that crashed or overran a worker is quarantined
 * (by SHA-256) and refused without reaching a worker until the quarantine expires.
 *
 * <p>Pools per libvips build: jobs go to the first pool whose libvips reads the input format, e.g.
 * the fast npm build for JPEG, PNG, WebP, AVIF and GIF, and the system's build for HEIC and PDF.
 */
public final class IsolatedEngine implements Engine {
  private static final Logger LOG = LoggerFactory.getLogger(IsolatedEngine.class);

  private static final long MEMORY_CHECK_NANOS = 50_000_000;

  private final Settings settings;
  private final Path dir;
  final List<WorkerPool> pools = new ArrayList<>();
  private final Map<ImageFormat, WorkerPool> routes = new EnumMap<>(ImageFormat.class);
  private final Cache<ByteBuffer, Worker.Death> quarantine;
  private final Thread watchdog;
  private volatile boolean closed;

  private IsolatedEngine(Settings settings) throws IOException {
    this.settings = settings;
    this.dir =
        Files.createTempDirectory(
            "imgd-workers-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    this.quarantine =
        Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(settings.quarantine()).build();
    try {
      for (Pool p : settings.pools()) {
        WorkerPool pool =
            new WorkerPool(pools.size(), p.library(), p.workers(), p.onDemand(), settings, dir);
        pools.add(pool);
        for (ImageFormat f : pool.reads) {
          routes.putIfAbsent(f, pool);
        }
        LOG.info(
            "{} workers{} on libvips {} read {}",
            p.workers(),
            p.onDemand() ? " (started on the first job)" : "",
            pool.libvipsVersion,
            pool.reads.stream().map(ImageFormat::extension).toList());
      }
    } catch (RuntimeException e) {
      pools.forEach(WorkerPool::close);
      deleteDir();
      throw e;
    }
    this.watchdog = Thread.ofPlatform().daemon().name("imgd-watchdog").start(this::watch);
  }

  /** Starts every pool's workers and waits until they have said hello. */
  public static IsolatedEngine start(Settings settings) {
    try {
      return new IsolatedEngine(Objects.requireNonNull(settings, "settings"));
    } catch (IOException e) {
      throw new IllegalStateException("cannot create the workers' directory", e);
    }
  }

  @Override
  public Set<ImageFormat> reads() {
    return Set.copyOf(routes.keySet());
  }

  @Override
  public Set<ImageFormat> writes(ImageFormat input) {
    WorkerPool pool = routes.get(input);
    return pool == null ? Set.of() : Set.copyOf(pool.writes);
  }

  @Override
  public Pipeline.Encoded run(byte[] source, Plan plan, byte[] watermark, Instant deadline) {
    WorkerPool pool = route(plan.input());
    long room = settings.memoryCap() - pool.baselineRss;
    if (plan.memoryEstimate() > room) {
      throw new ImgdException(
          ErrorCode.MEMORY_EXCEEDED,
          "the image needs an estimated %d MiB, more than a worker may use (%d MiB)"
              .formatted(plan.memoryEstimate() >> 20, room >> 20));
    }
    byte[] planBytes = Wire.serialize(plan);
    Pipeline.Encoded e =
        call(
            pool,
            source,
            deadline,
            out -> {
              out.writeInt(Wire.Kind.RUN.ordinal());
              Wire.writeBytes(out, planBytes);
              Wire.writeBytes(out, source);
              Wire.writeBytes(out, watermark);
            },
            in -> {
              ImageFormat format = Wire.readEnum(in, ImageFormat.class);
              int width = in.readInt();
              int height = in.readInt();
              int frames = in.readInt();
              byte[] bytes = Wire.readBytes(in, Wire.MAX_REPLY_BYTES);
              return new Pipeline.Encoded(bytes, format, width, height, frames);
            },
            Wire.Status.IMAGE);
    // The worker verified its output; verify again here, where a hijacked worker cannot lie.
    if (e.format() != plan.output().format()
        || e.width() != plan.geometry().width()
        || e.height() != plan.geometry().height()) {
      throw new ImgdException(
          ErrorCode.OUTPUT_INVALID, "output failed verification: the worker's result differs");
    }
    Verifier.verify(e.bytes(), e.format(), e.width(), e.height(), plan.frames());
    return e;
  }

  @Override
  public Page measure(byte[] source, ImageFormat format, int page, Instant deadline) {
    WorkerPool pool = route(format);
    return call(
        pool,
        source,
        deadline,
        out -> {
          out.writeInt(Wire.Kind.MEASURE.ordinal());
          out.writeInt(format.ordinal());
          out.writeInt(page);
          Wire.writeBytes(out, source);
        },
        Wire::readPage,
        Wire.Status.PAGE);
  }

  /** Test hook: makes a worker misbehave (sleep, spin, grow, segv, abort); needs testHooks. */
  Page hook(String hook, byte[] key, Instant deadline) {
    return call(
        pools.getFirst(),
        key,
        deadline,
        out -> {
          out.writeInt(Wire.Kind.HOOK.ordinal());
          out.writeUTF(hook);
        },
        Wire::readPage,
        Wire.Status.PAGE);
  }

  private WorkerPool route(ImageFormat input) {
    WorkerPool pool = routes.get(input);
    if (pool == null) {
      throw new ImgdException(
          ErrorCode.UNSUPPORTED_FORMAT, input + " input: no worker's libvips reads it");
    }
    return pool;
  }

  /** Writes a request. */
  private interface Request {
    void write(DataOutputStream out) throws IOException;
  }

  /** Reads a successful reply's body. */
  private interface Reader<T> {
    T read(DataInputStream in) throws IOException;
  }

  /**
   * One job on one worker: quarantine check, a free worker by the deadline, the request, the reply;
   * a worker that dies on the way is classified, counted and replaced, and its input quarantined.
   */
  private <T> T call(
      WorkerPool pool,
      byte[] input,
      Instant deadline,
      Request request,
      Reader<T> reader,
      Wire.Status expected) {
    if (closed) {
      throw new ImgdException(ErrorCode.OVERLOADED, "the engine is shutting down");
    }
    // Hashing costs about a millisecond per megabyte: only when something is quarantined.
    Worker.Death earlier =
        quarantine.estimatedSize() == 0 ? null : quarantine.getIfPresent(key(input));
    if (earlier != null) {
      throw new ImgdException(
          ErrorCode.QUARANTINED,
          "this input "
              + (earlier == Worker.Death.CRASH ? "crashed" : "overran the memory of")
              + " an image worker recently and is refused for now");
    }
    Worker w = pool.take(deadline);
    if (!Instant.now().isBefore(deadline)) {
      pool.release(w); // the deadline passed in the queue: do not start work no one will wait for
      throw new ImgdException(
          ErrorCode.DEADLINE_EXCEEDED, "the deadline passed before a worker was free");
    }
    boolean reusable = false;
    try {
      w.memoryCap = settings.memoryCap();
      w.killAtNanos =
          System.nanoTime()
              + Math.max(0, Duration.between(Instant.now(), deadline).toNanos())
              + settings.grace().toNanos();
      request.write(w.out);
      w.out.flush();
      Wire.Status status = Wire.readEnum(w.in, Wire.Status.class);
      T result = null;
      ImgdException error = null;
      if (status == Wire.Status.ERROR) {
        error = new ImgdException(Wire.readEnum(w.in, ErrorCode.class), Wire.readMessage(w.in));
      } else if (status == expected) {
        result = reader.read(w.in);
      } else {
        throw new IOException("unexpected reply " + status);
      }
      w.vipsMemory = w.in.readLong();
      reusable = true;
      if (error != null) {
        throw error;
      }
      return result;
    } catch (IOException e) {
      throw failed(pool, w, input);
    } finally {
      if (reusable) {
        pool.release(w);
      } else {
        pool.replace(w);
      }
    }
  }

  /** The typed error for a worker that died under its job; counts it and quarantines the input. */
  private ImgdException failed(WorkerPool pool, Worker w, byte[] input) {
    ByteBuffer key = key(input);
    Worker.Death death = w.death();
    pool.counted(death);
    String detail = death == Worker.Death.CRASH ? w.crashDetail() : death.name().toLowerCase();
    LOG.warn("{} died under its job: {} ({}); replacing it", w, death, detail);
    return switch (death) {
      case DEADLINE ->
          new ImgdException(
              ErrorCode.DEADLINE_EXCEEDED,
              "the image was not done by the deadline; its worker was stopped");
      case MEMORY, OOM -> {
        quarantine.put(key, death);
        yield new ImgdException(
            ErrorCode.MEMORY_EXCEEDED,
            "the image needed more memory than a worker may use; its worker was stopped");
      }
      case CRASH -> {
        quarantine.put(key, death);
        yield new ImgdException(
            ErrorCode.WORKER_CRASHED,
            "the image crashed its decoder (" + detail + "); the worker was replaced");
      }
    };
  }

  private static ByteBuffer key(byte[] bytes) {
    try {
      return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Kills workers past their deadline plus grace or over their memory cap. */
  private void watch() {
    long memoryCheckedAt = System.nanoTime();
    while (!closed) {
      long now = System.nanoTime();
      // Reading /proc for every busy worker costs more than comparing deadlines: memory is read
      // less often (a worker faulting in 1 GiB/s overshoots its cap by 50 MiB at most).
      boolean checkMemory = now - memoryCheckedAt >= MEMORY_CHECK_NANOS;
      if (checkMemory) {
        memoryCheckedAt = now;
      }
      for (WorkerPool pool : pools) {
        for (Worker w : pool.workers) {
          long killAt = w.killAtNanos;
          if (killAt == 0) {
            if (!w.process.isAlive()) {
              pool.lostWhileIdle(w);
            }
            continue;
          }
          if (now - killAt > 0) {
            w.kill(Worker.Death.DEADLINE);
          } else if (checkMemory && w.rss() > w.memoryCap) {
            w.kill(Worker.Death.MEMORY);
          }
        }
      }
      try {
        Thread.sleep(settings.watchInterval());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** What the pools are doing, for metrics and tests. */
  public Stats stats() {
    int busy = 0;
    int live = 0;
    int size = 0;
    int spares = 0;
    long replaced = 0;
    long rss = 0;
    long vips = 0;
    Map<String, Long> deaths = new java.util.TreeMap<>();
    for (WorkerPool pool : pools) {
      size += pool.size();
      spares += pool.spareReady() ? 1 : 0;
      replaced += pool.replaced.get();
      for (Worker w : pool.workers) {
        live++;
        busy += w.busy() ? 1 : 0;
        rss += w.rss();
        vips += w.vipsMemory;
      }
      pool.deaths.forEach((d, n) -> deaths.merge(d.name().toLowerCase(), n.get(), Long::sum));
    }
    return new Stats(
        size, live, busy, spares, replaced, Map.copyOf(deaths), rss, vips, lastStartMillis());
  }

  private double lastStartMillis() {
    return pools.stream().mapToLong(p -> p.lastStartNanos).max().orElse(0) / 1e6;
  }

  /**
   * @param size workers that take jobs, over all pools (spares not counted)
   * @param live of them alive now (below size only while a replacement starts)
   * @param busy of them running a job
   * @param spares warm spares started and waiting (one per pool unless one is starting)
   * @param replaced workers replaced since start
   * @param deaths workers lost by cause: deadline, memory, oom, crash
   * @param rss resident bytes of every live worker
   * @param vipsMemory libvips' tracked memory in every worker after its last job
   * @param lastStartMillis how long the last worker took from spawn to ready
   */
  public record Stats(
      int size,
      int live,
      int busy,
      int spares,
      long replaced,
      Map<String, Long> deaths,
      long rss,
      long vipsMemory,
      double lastStartMillis) {}

  /** Lets jobs in flight finish, then stops every worker and removes their sockets. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    watchdog.interrupt();
    pools.forEach(WorkerPool::close);
    deleteDir();
  }

  private void deleteDir() {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.debug("cannot remove {}: {}", dir, e.getMessage());
    }
  }

  /**
   * A pool: a libvips build and how many workers run it.
   *
   * @param onDemand start the workers (and the spare) on the pool's first job rather than at
   *     start-up, for formats few deployments see; that first job waits for a worker to start
   */
  public record Pool(Path library, int workers, boolean onDemand) {
    public Pool {
      Objects.requireNonNull(library, "library");
      if (workers < 1 || workers > 256) {
        throw new IllegalArgumentException("workers must be in [1, 256]: " + workers);
      }
    }

    /** A pool started with the engine. */
    public Pool(Path library, int workers) {
      this(library, workers, false);
    }
  }

  /**
   * @param pools the pools, preferred first: a format goes to the first whose libvips reads it
   * @param grace how long past its deadline a job may run before its worker is killed
   * @param memoryCap resident bytes a worker may reach; a plan estimated above what is left after
   *     the worker's own start-up memory is refused without running
   * @param heapMegabytes each worker's Java heap (it holds one source and one result)
   * @param quarantine how long an input that crashed or overran a worker stays refused
   * @param startTimeout how long a new worker may take to say hello
   * @param drain how long close() waits for jobs in flight
   * @param spare keep a started worker ready to replace one that dies
   * @param classDataArchive the JDK class-data archive that speeds up worker start (null: none)
   * @param watchInterval milliseconds between the watchdog's checks of deadlines (memory is checked
   *     every 50 ms at most)
   * @param testHooks let tests make a worker misbehave on demand (never in production)
   */
  public record Settings(
      List<Pool> pools,
      Duration grace,
      long memoryCap,
      int heapMegabytes,
      Duration quarantine,
      Duration startTimeout,
      Duration drain,
      boolean spare,
      Path classDataArchive,
      long watchInterval,
      boolean testHooks) {
    public Settings {
      pools = List.copyOf(pools);
      if (pools.isEmpty()) {
        throw new IllegalArgumentException("at least one pool");
      }
      Objects.requireNonNull(grace, "grace");
      Objects.requireNonNull(quarantine, "quarantine");
      Objects.requireNonNull(startTimeout, "startTimeout");
      Objects.requireNonNull(drain, "drain");
      if (memoryCap < 64L << 20) {
        throw new IllegalArgumentException("memoryCap must be >= 64 MiB: " + memoryCap);
      }
      if (heapMegabytes < 32) {
        throw new IllegalArgumentException("heapMegabytes must be >= 32: " + heapMegabytes);
      }
      if (watchInterval < 1) {
        throw new IllegalArgumentException("watchInterval must be >= 1 ms: " + watchInterval);
      }
    }

    /**
     * One pool per library, preferred first; the first gets {@code workers} workers, the others one
     * each, started on demand (they serve the formats only they read).
     */
    public static Settings defaults(List<Path> libraries, int workers) {
      List<Pool> pools = new ArrayList<>();
      for (int i = 0; i < libraries.size(); i++) {
        pools.add(
            i == 0 ? new Pool(libraries.get(i), workers) : new Pool(libraries.get(i), 1, true));
      }
      return new Settings(
          pools,
          Duration.ofMillis(250),
          2L << 30,
          256,
          Duration.ofMinutes(10),
          Duration.ofSeconds(30),
          Duration.ofSeconds(30),
          true,
          null,
          10,
          false);
    }

    public Builder toBuilder() {
      return new Builder(this);
    }

    /** Settings to change one by one; {@link #build()} checks them. */
    public static final class Builder {
      private List<Pool> pools;
      private Duration grace;
      private long memoryCap;
      private int heapMegabytes;
      private Duration quarantine;
      private Duration startTimeout;
      private Duration drain;
      private boolean spare;
      private Path classDataArchive;
      private long watchInterval;
      private boolean testHooks;

      private Builder(Settings s) {
        pools = s.pools;
        grace = s.grace;
        memoryCap = s.memoryCap;
        heapMegabytes = s.heapMegabytes;
        quarantine = s.quarantine;
        startTimeout = s.startTimeout;
        drain = s.drain;
        spare = s.spare;
        classDataArchive = s.classDataArchive;
        watchInterval = s.watchInterval;
        testHooks = s.testHooks;
      }

      public Builder memoryCap(long bytes) {
        memoryCap = bytes;
        return this;
      }

      public Builder grace(Duration d) {
        grace = d;
        return this;
      }

      public Builder quarantine(Duration d) {
        quarantine = d;
        return this;
      }

      /** Null: no archive. */
      public Builder classDataArchive(Path archive) {
        classDataArchive = archive;
        return this;
      }

      public Builder spare(boolean keepOne) {
        spare = keepOne;
        return this;
      }

      Builder testHooks() {
        testHooks = true;
        return this;
      }

      public Settings build() {
        return new Settings(
            pools,
            grace,
            memoryCap,
            heapMegabytes,
            quarantine,
            startTimeout,
            drain,
            spare,
            classDataArchive,
            watchInterval,
            testHooks);
      }
    }
  }
}
