package dev.imgd.worker;

import dev.imgd.core.Engine;
import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.core.options.ResizePlan;
import dev.imgd.core.pipeline.Pipeline;
import dev.imgd.core.pipeline.Verifier;
import dev.imgd.core.plan.Encoded;
import dev.imgd.core.plan.Page;
import dev.imgd.core.plan.Plan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine in isolated worker processes (FM-20): each worker runs one image at a time with one
 * libvips thread; a watchdog kills a worker whose job overruns its deadline plus a grace, or whose
 * resident memory passes the cap; a crashed or killed worker fails only its own job, with a typed
 * error, and a warm spare takes its place. An input that crashed or overran a worker is quarantined
 * (by SHA-256) and refused without reaching a worker until the quarantine expires.
 *
 * <p>Pools per libvips build: jobs go to the first pool whose libvips reads the input format and
 * writes the output format, e.g. the fast npm build for JPEG, PNG, WebP, AVIF, GIF and TIFF, and
 * the system's build for HEIC, JPEG XL and PDF.
 *
 * <p>This class puts the parts together: {@link WorkerPool} (workers and spares), {@link Router}
 * (format to pool), {@link Quarantine}, {@link Watchdog}, and {@link WorkerClient} with the
 * messages of {@link Wire} (one job on one worker).
 */
public final class IsolatedEngine implements Engine {
  private static final Logger LOG = LoggerFactory.getLogger(IsolatedEngine.class);

  private final Settings settings;
  private final Path dir;
  final List<WorkerPool> pools = new ArrayList<>();
  private final Router router;
  private final Quarantine quarantine;
  private final Watchdog watchdog;
  private volatile Quarantined.@Nullable Board board;
  private volatile boolean closed;

  private IsolatedEngine(Settings settings) throws IOException {
    this.settings = settings;
    this.dir =
        Files.createTempDirectory(
            "imgd-workers-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    try {
      for (Pool p : settings.pools()) {
        WorkerPool pool =
            new WorkerPool(pools.size(), p.library(), p.workers(), p.onDemand(), settings, dir);
        pools.add(pool);
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
    this.router = new Router(pools);
    this.quarantine = new Quarantine(settings.quarantine());
    this.watchdog = new Watchdog(pools, settings.grace(), settings.memoryCap());
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
    return router.reads();
  }

  /** Each pool's libvips build and what it reads and writes, preferred first. */
  public List<Build> builds() {
    return pools.stream()
        .map(p -> new Build(p.library, p.libvipsVersion, p.reads, p.writes))
        .toList();
  }

  /**
   * One pool's libvips build, as its first worker described it.
   *
   * @param library the shared library the pool's workers load
   * @param version its libvips version
   * @param reads the input formats it decodes (of those workers may read)
   * @param writes the output formats it encodes
   */
  public record Build(
      Path library, String version, Set<ImageFormat> reads, Set<ImageFormat> writes) {
    public Build {
      reads = Set.copyOf(reads);
      writes = Set.copyOf(writes);
    }
  }

  @Override
  public Set<ImageFormat> writes(ImageFormat input) {
    return router.writes(input);
  }

  @Override
  public Encoded run(byte[] source, Plan plan, byte @Nullable [] watermark, Instant deadline) {
    WorkerPool pool = router.route(plan.input(), plan.output().format());
    long room = settings.memoryCap() - pool.baselineRss;
    if (plan.memoryEstimate() > room) {
      throw new ImgdException(
          ErrorCode.MEMORY_EXCEEDED,
          "the image needs an estimated %d MiB, more than a worker may use (%d MiB)"
              .formatted(plan.memoryEstimate() >> 20, room >> 20));
    }
    Pipeline.Result r =
        call(pool, new Wire.Run(plan, source, watermark), deadline, Wire.Image.class).result();
    // The worker verified its output; verify again here, where a hijacked worker cannot lie. A
    // trim decides the source size in the run: the plan checks the size the worker reports
    // (within the source, result within the limit) and gives the geometry to check against.
    Encoded e = r.encoded();
    ResizePlan g = plan.geometryFor(r.sourceWidth(), r.sourceHeight());
    if (e.format() != plan.output().format()
        || e.width() != plan.resultWidth(g)
        || e.height() != plan.resultHeight(g)) {
      throw new ImgdException(
          ErrorCode.OUTPUT_INVALID, "output failed verification: the worker's result differs");
    }
    Verifier.verify(e.bytes(), e.format(), e.width(), e.height(), plan.frames());
    return e;
  }

  @Override
  public Page measure(byte[] source, ImageFormat format, int page, Instant deadline) {
    WorkerPool pool = router.route(format);
    return call(pool, new Wire.Measure(format, page, source), deadline, Wire.Measured.class).page();
  }

  /**
   * One job on one worker: quarantine check, a free worker by the deadline, the request under the
   * watchdog, the reply. A worker lost on the way is counted and replaced. If something outside
   * killed it (a signal imgd did not send: {@link Worker#killedFromOutside}), the job runs once
   * more on another worker: the input is not known to be at fault. Otherwise, or if the second
   * worker dies too, the input is quarantined and the job fails with the death's typed error.
   */
  private <R extends Wire.Reply> R call(
      WorkerPool pool, Wire.Job job, Instant deadline, Class<R> expected) {
    if (closed) {
      throw new ImgdException(ErrorCode.OVERLOADED, "the engine is shutting down");
    }
    quarantine.check(job.source());
    for (boolean retried = false; ; retried = true) {
      Worker w = pool.take(deadline);
      if (!Instant.now().isBefore(deadline)) {
        pool.release(w); // the deadline passed in the queue: do not start work no one will wait for
        throw new ImgdException(
            ErrorCode.DEADLINE_EXCEEDED, "the deadline passed before a worker was free");
      }
      boolean reusable = false;
      try {
        watchdog.guard(w, deadline);
        Wire.Reply reply = w.client.ask(job);
        if (!(reply instanceof Wire.Failed) && !expected.isInstance(reply)) {
          throw new IOException("unexpected reply " + reply.getClass().getSimpleName());
        }
        w.vipsMemory = reply.vipsMemory();
        reusable = true;
        if (reply instanceof Wire.Failed failed) {
          throw failed.error();
        }
        return expected.cast(reply);
      } catch (IOException e) {
        Worker.Death death = w.death();
        pool.counted(death);
        if (retried || !w.killedFromOutside()) {
          throw lost(w, death, job.source());
        }
        LOG.warn(
            "{} died under its job, killed from outside: {} ({}); running the job on another"
                + " worker",
            w,
            death,
            w.crashDetail());
      } finally {
        if (reusable) {
          pool.release(w);
        } else {
          pool.replace(w);
        }
      }
    }
  }

  /** The typed error for a worker lost under its job, whose input is quarantined. */
  private ImgdException lost(Worker w, Worker.Death death, byte[] input) {
    String detail =
        death == Worker.Death.CRASH ? w.crashDetail() : death.name().toLowerCase(Locale.ROOT);
    LOG.warn("{} died under its job: {} ({}); replacing it", w, death, detail);
    if (death.quarantines()) {
      Quarantined entry = quarantine.add(input, death);
      Quarantined.Board b = board;
      if (b != null) {
        b.post(entry);
      }
    }
    return death.error(detail);
  }

  /**
   * Shares this engine's quarantine: the inputs its workers die of are posted to {@code board};
   * what other instances post comes in through {@link #quarantine(Quarantined)}.
   */
  public void shareQuarantine(Quarantined.Board board) {
    this.board = Objects.requireNonNull(board, "board");
  }

  /** Refuses an input another instance quarantined, without a job, until its entry ends. */
  public void quarantine(Quarantined entry) {
    quarantine.add(Objects.requireNonNull(entry, "entry"));
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
    Map<String, Long> deaths = new TreeMap<>();
    for (WorkerPool pool : pools) {
      size += pool.size();
      spares += pool.spareReady() ? 1 : 0;
      replaced += pool.replaced.get();
      for (Worker w : pool.workers) {
        live += w.process.isAlive() ? 1 : 0;
        busy += w.busy() ? 1 : 0;
        rss += w.rss();
        vips += w.vipsMemory;
      }
      pool.deaths.forEach(
          (d, n) -> deaths.merge(d.name().toLowerCase(Locale.ROOT), n.get(), Long::sum));
    }
    return new Stats(
        size, live, busy, spares, replaced, Map.copyOf(deaths), rss, vips, lastStartMillis());
  }

  private double lastStartMillis() {
    return pools.stream().mapToLong(p -> p.lastStartNanos).max().orElse(0) / 1e6;
  }

  /**
   * What the engine's pools are doing now.
   *
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
    watchdog.close();
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
   * How the engine runs its workers.
   *
   * @param pools the pools, preferred first: a format goes to the first whose libvips reads it
   * @param grace how long past its deadline a job may run before its worker is killed
   * @param memoryCap resident bytes a worker may reach; a plan estimated above what is left after
   *     the worker's own start-up memory is refused without running
   * @param quarantine how long an input that crashed or overran a worker stays refused
   * @param spare keep a started worker ready to replace one that dies
   * @param classDataArchive the JDK class-data archive that speeds up worker start (null: none)
   */
  public record Settings(
      List<Pool> pools,
      Duration grace,
      long memoryCap,
      Duration quarantine,
      boolean spare,
      @Nullable Path classDataArchive) {
    public Settings {
      pools = List.copyOf(pools);
      if (pools.isEmpty()) {
        throw new IllegalArgumentException("at least one pool");
      }
      Objects.requireNonNull(grace, "grace");
      Objects.requireNonNull(quarantine, "quarantine");
      if (memoryCap < 64L << 20) {
        throw new IllegalArgumentException("memoryCap must be >= 64 MiB: " + memoryCap);
      }
    }

    /**
     * One pool per library, preferred first; the first gets {@code workers} workers, the others one
     * each, started on demand (they serve the formats only they read). A grace of 250 ms, a memory
     * cap of 2 GiB, a quarantine of 10 minutes, a warm spare, no class-data archive.
     */
    public static Settings defaults(List<Path> libraries, int workers) {
      List<Pool> pools = new ArrayList<>();
      for (int i = 0; i < libraries.size(); i++) {
        pools.add(
            i == 0 ? new Pool(libraries.get(i), workers) : new Pool(libraries.get(i), 1, true));
      }
      return new Settings(
          pools, Duration.ofMillis(250), 2L << 30, Duration.ofMinutes(10), true, null);
    }

    public Settings withGrace(Duration grace) {
      return new Settings(pools, grace, memoryCap, quarantine, spare, classDataArchive);
    }

    public Settings withMemoryCap(long bytes) {
      return new Settings(pools, grace, bytes, quarantine, spare, classDataArchive);
    }

    public Settings withQuarantine(Duration expiry) {
      return new Settings(pools, grace, memoryCap, expiry, spare, classDataArchive);
    }

    /** Null: no archive. */
    public Settings withClassDataArchive(@Nullable Path archive) {
      return new Settings(pools, grace, memoryCap, quarantine, spare, archive);
    }
  }
}
