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
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
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
 * <p>A {@link Canary} pool on a new build may take a share of the jobs it can do, sticky by the
 * input's bytes, and is switched off by its gates; a job it fails runs again on the stable build.
 *
 * <p>This class puts the parts together: {@link WorkerPool} (workers and spares), {@link Router}
 * (format to pool), {@link Canary}, {@link Quarantine}, {@link Watchdog}, and {@link WorkerClient}
 * with the messages of {@link Wire} (one job on one worker).
 */
public final class IsolatedEngine implements Engine {
  private static final Logger LOG = LoggerFactory.getLogger(IsolatedEngine.class);
  private static final String STABLE = "stable";
  private static final String CANARY = "canary";

  private final Settings settings;
  private final Path dir;
  final List<WorkerPool> pools = new ArrayList<>();
  private final Router router;
  private final @Nullable WorkerPool canaryPool;
  private final @Nullable Canary canary;
  private final Quarantine quarantine;
  private final Watchdog watchdog;
  private volatile Consumer<JobReport> listener = r -> {};
  private volatile Quarantined.@Nullable Board board;
  private volatile boolean closed;

  private IsolatedEngine(Settings settings) throws IOException {
    this.settings = settings;
    this.dir =
        Files.createTempDirectory(
            "imgd-workers-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Canary.Settings c = settings.canary();
    try {
      for (Pool p : settings.pools()) {
        started(STABLE, p.library(), p.workers(), p.onDemand());
      }
      // As many workers as the first pool, to take all of its jobs at 100%; at 0% they start when
      // an operator steps the canary up.
      this.canaryPool =
          c == null
              ? null
              : started(
                  CANARY, c.library(), settings.pools().getFirst().workers(), c.percent() == 0);
    } catch (RuntimeException e) {
      pools.forEach(WorkerPool::close);
      deleteDir();
      throw e;
    }
    this.router = new Router(pools.stream().filter(p -> p.role.equals(STABLE)).toList());
    this.canary =
        canaryPool == null || c == null
            ? null
            : new Canary(c, canaryPool.libvipsVersion, canaryPool.window);
    this.quarantine = new Quarantine(settings.quarantine());
    this.watchdog = new Watchdog(pools, settings.grace(), settings.memoryCap());
  }

  private WorkerPool started(String role, Path library, int workers, boolean onDemand) {
    WorkerPool pool = new WorkerPool(pools.size(), role, library, workers, onDemand, settings, dir);
    pools.add(pool);
    LOG.info(
        "{} workers{} on libvips {} read {}{}",
        workers,
        onDemand ? " (started on the first job)" : "",
        pool.libvipsVersion,
        pool.reads.stream().map(ImageFormat::extension).toList(),
        pool.role.equals(CANARY) ? " (the canary)" : "");
    return pool;
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

  /** Each stable pool's libvips build and what it reads and writes, preferred first. */
  public List<Build> builds() {
    return pools.stream()
        .filter(p -> p.role.equals(STABLE))
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
    return submit(
        pool,
        plan.input(),
        plan.output().format(),
        new Wire.Run(plan, source, watermark),
        deadline,
        Wire.Image.class,
        reply -> verified(plan, reply.result()));
  }

  /**
   * The worker verified its output; verify again here, where a hijacked worker cannot lie. A trim
   * decides the source size in the run: the plan checks the size the worker reports (within the
   * source, result within the limit) and gives the geometry to check against.
   */
  private static Encoded verified(Plan plan, Pipeline.Result r) {
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
    return submit(
        router.route(format),
        format,
        null,
        new Wire.Measure(format, page, source),
        deadline,
        Wire.Measured.class,
        Wire.Measured::page);
  }

  /**
   * A job on the canary when it takes the input and can do the job (reads its input, writes its
   * output), else on the stable pool. A job the canary fails runs again on the stable pool, but for
   * a deadline (no time is left): the user gets the stable build's answer, and only if the stable
   * build succeeds is the failure the canary's ({@link Canary#failedAlone}).
   *
   * @param output the format written, or null for a job that only reads
   * @param check turns the reply into the result, throwing if it does not pass
   */
  private <R extends Wire.Reply, T> T submit(
      WorkerPool stable,
      ImageFormat input,
      @Nullable ImageFormat output,
      Wire.Job job,
      Instant deadline,
      Class<R> expected,
      Function<R, T> check) {
    if (closed) {
      throw new ImgdException(ErrorCode.OVERLOADED, "the engine is shutting down");
    }
    quarantine.check(job.source());
    WorkerPool pool = canaryPool;
    Canary k = canary;
    if (pool == null
        || k == null
        || !pool.reads.contains(input)
        || (output != null && !pool.writes.contains(output))) {
      return check.apply(call(stable, job, deadline, expected, Use.STABLE));
    }
    if (!k.takes(job.source())) {
      return check.apply(call(stable, job, deadline, expected, Use.CONTROL));
    }
    ImgdException failed;
    try {
      T result = check.apply(call(pool, job, deadline, expected, Use.CANARY));
      k.judge();
      return result;
    } catch (ImgdException e) {
      k.judge();
      if (e.code() == ErrorCode.DEADLINE_EXCEEDED) {
        throw e;
      }
      failed = e;
    }
    LOG.info("the canary failed a job ({}); running it on the stable build", failed.getMessage());
    T result = check.apply(call(stable, job, deadline, expected, Use.STABLE));
    k.failedAlone(failed.code(), Objects.requireNonNullElse(failed.getMessage(), ""));
    return result;
  }

  /**
   * One job on one worker: a free worker by the deadline, the request under the watchdog, the
   * reply, counted by {@link #done}. A worker lost on the way is counted and replaced. If something
   * outside killed it (a signal imgd did not send: {@link Worker#killedFromOutside}), the job runs
   * once more on another worker: the input is not known to be at fault. Otherwise, or if the second
   * worker dies too, the job fails with the death's typed error, and the input is quarantined
   * unless the worker was the canary's.
   */
  private <R extends Wire.Reply> R call(
      WorkerPool pool, Wire.Job job, Instant deadline, Class<R> expected, Use use) {
    for (boolean retried = false; ; retried = true) {
      Worker w = pool.take(deadline);
      if (!Instant.now().isBefore(deadline)) {
        pool.release(w); // the deadline passed in the queue: do not start work no one will wait for
        throw new ImgdException(
            ErrorCode.DEADLINE_EXCEEDED, "the deadline passed before a worker was free");
      }
      boolean reusable = false;
      long started = System.nanoTime();
      ErrorCode failure = null;
      long peak = 0;
      try {
        watchdog.guard(w, deadline);
        // A job's own peak memory costs two /proc calls a job: taken only for a canary's gates.
        boolean measured = canary != null;
        if (measured) {
          w.resetPeak();
        }
        Wire.Reply reply = w.client.ask(job);
        if (!(reply instanceof Wire.Failed) && !expected.isInstance(reply)) {
          throw new IOException("unexpected reply " + reply.getClass().getSimpleName());
        }
        w.vipsMemory = reply.vipsMemory();
        peak = measured ? w.peakRss() : 0;
        reusable = true;
        if (reply instanceof Wire.Failed failed) {
          failure = failed.code();
          throw failed.error();
        }
        return expected.cast(reply);
      } catch (IOException e) {
        Worker.Death death = w.death();
        pool.counted(death);
        if (retried || !w.killedFromOutside()) {
          ImgdException lost = lost(w, death, job.source(), use != Use.CANARY);
          failure = lost.code();
          throw lost;
        }
        LOG.warn(
            "{} died under its job, killed from outside: {} ({}); running the job on another"
                + " worker",
            w,
            death,
            w.crashDetail());
        started = 0; // not the job's doing: not counted
      } finally {
        if (reusable) {
          pool.release(w);
        } else {
          pool.replace(w);
        }
        if (started != 0) {
          done(pool, System.nanoTime() - started, failure, peak, use);
        }
      }
    }
  }

  /** How a job is sent to a pool. */
  private enum Use {
    /** To a stable pool: a worker's death quarantines the input. */
    STABLE,
    /** To a stable pool, of the jobs the canary could have taken: also the canary's reference. */
    CONTROL,
    /** To the canary: a worker's death does not quarantine, the stable build will try the input. */
    CANARY
  }

  /** A job answered or lost: counted by its pool, the canary's reference, the listener. */
  private void done(WorkerPool pool, long nanos, @Nullable ErrorCode failure, long peak, Use use) {
    pool.done(nanos, failure, peak);
    Canary k = canary;
    if (use == Use.CONTROL && k != null) {
      k.control(nanos, failure != null, peak);
    }
    try {
      listener.accept(
          new JobReport(pool.role, pool.libvipsVersion, Duration.ofNanos(nanos), failure, peak));
    } catch (RuntimeException e) {
      LOG.warn("the job listener failed", e);
    }
  }

  /**
   * The typed error for a worker lost under its job; its input is quarantined when {@code
   * quarantine} says so and the death does.
   */
  private ImgdException lost(Worker w, Worker.Death death, byte[] input, boolean quarantine) {
    String detail =
        death == Worker.Death.CRASH ? w.crashDetail() : death.name().toLowerCase(Locale.ROOT);
    LOG.warn("{} died under its job: {} ({}); replacing it", w, death, detail);
    if (quarantine && death.quarantines()) {
      Quarantined entry = this.quarantine.add(input, death);
      Quarantined.Board b = board;
      if (b != null) {
        b.post(entry);
      }
    }
    return death.error(detail);
  }

  /**
   * One job done on a worker, for metrics.
   *
   * @param pool stable or canary
   * @param libvips the pool's libvips version
   * @param took how long the worker took
   * @param failure the job's error code (a worker's death: its typed error's), or null
   * @param peakBytes the worker's peak resident memory during the job (0: not known)
   */
  public record JobReport(
      String pool, String libvips, Duration took, @Nullable ErrorCode failure, long peakBytes) {}

  /** Calls {@code listener} after every job a worker did or died under (one listener). */
  public void onJob(Consumer<JobReport> listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /** The canary, when one is set. */
  public Optional<Canary> canary() {
    return Optional.ofNullable(canary);
  }

  /**
   * One pool's jobs, for /admin.
   *
   * @param role stable or canary
   * @param build its libvips version
   * @param library its libvips shared library
   * @param jobs jobs done since start
   * @param crashes workers lost by crash, out of memory or the memory cap since start
   * @param failures failed jobs by error code since start (only codes that occurred)
   * @param window the jobs of the last window
   */
  public record PoolReport(
      String role,
      String build,
      Path library,
      long jobs,
      long crashes,
      Map<ErrorCode, Long> failures,
      Figures window) {}

  /** Every pool's jobs, stable pools first, the canary last. */
  public List<PoolReport> poolReports() {
    return pools.stream()
        .map(p -> {
          Map<ErrorCode, Long> failures = new TreeMap<>();
          p.failures.forEach((code, n) -> {
            if (n.get() > 0) {
              failures.put(code, n.get());
            }
          });
          return new PoolReport(
              p.role,
              p.libvipsVersion,
              p.library,
              p.jobs.get(),
              p.crashes(),
              failures,
              p.window.summary());
        })
        .toList();
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
   * @param canary a pool on a new build that takes a share of the jobs under watch (null: none)
   */
  public record Settings(
      List<Pool> pools,
      Duration grace,
      long memoryCap,
      Duration quarantine,
      boolean spare,
      @Nullable Path classDataArchive,
      Canary.@Nullable Settings canary) {
    public Settings(
        List<Pool> pools,
        Duration grace,
        long memoryCap,
        Duration quarantine,
        boolean spare,
        @Nullable Path classDataArchive) {
      this(pools, grace, memoryCap, quarantine, spare, classDataArchive, null);
    }

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
      return new Settings(pools, grace, memoryCap, quarantine, spare, classDataArchive, canary);
    }

    public Settings withMemoryCap(long bytes) {
      return new Settings(pools, grace, bytes, quarantine, spare, classDataArchive, canary);
    }

    public Settings withQuarantine(Duration expiry) {
      return new Settings(pools, grace, memoryCap, expiry, spare, classDataArchive, canary);
    }

    /** Null: no archive. */
    public Settings withClassDataArchive(@Nullable Path archive) {
      return new Settings(pools, grace, memoryCap, quarantine, spare, archive, canary);
    }

    /** Null: no canary. */
    public Settings withCanary(Canary.@Nullable Settings canary) {
      return new Settings(pools, grace, memoryCap, quarantine, spare, classDataArchive, canary);
    }

    /** How far back each pool's figures look: the canary's window, else 5 minutes. */
    public Duration window() {
      return canary == null ? Duration.ofMinutes(5) : canary.window();
    }
  }
}
