package dev.imgd.worker;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.core.pipeline.Pipeline;
import dev.imgd.vips.Vips;
import dev.imgd.vips.VipsSettings;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * An isolated worker: a process that runs one image at a time with one libvips thread, connected to
 * the server by a Unix domain socket. It trusts the server and nothing else; the server trusts none
 * of its replies and kills it when it overruns its deadline or memory cap.
 *
 * <p>Started by the server as {@code java ... dev.imgd.worker.WorkerMain SOCKET} with the token in
 * {@code IMGD_WORKER_TOKEN} and the libvips library in {@code -Dimgd.libvips}.
 */
public final class WorkerMain {
  static final String TOKEN_ENV = "IMGD_WORKER_TOKEN";

  /** The committed Java heap a worker keeps between jobs; above it, it collects (see -Xms). */
  private static final long HEAP_KEPT_BYTES = 32L << 20;

  /** libvips' tracked memory before the first job: what a worker holds at rest. */
  private static long idleMemory;

  private WorkerMain() {}

  public static void main(String[] args) {
    if (args.length != 1 || System.getenv(TOKEN_ENV) == null) {
      System.err.println("imgd worker: started by the imgd server only");
      System.exit(2);
    }
    System.setOut(System.err); // stdout is not ours to write: the server discards it
    try {
      serve(Path.of(args[0]));
    } catch (OutOfMemoryError e) {
      Runtime.getRuntime().halt(3); // as -XX:+ExitOnOutOfMemoryError does for the heap
    } catch (IOException e) {
      // the server went away: nothing to answer
    } catch (Throwable t) {
      // Never linger with a job half done: the server sees the exit and replaces this worker.
      System.err.println("imgd worker: " + t);
      Runtime.getRuntime().halt(70);
    }
    Runtime.getRuntime().halt(0); // no shutdown hooks: libvips' threads must not delay the exit
  }

  private static void serve(Path socket) throws IOException {
    // A worker reads documents too: its loaders run in a process of their own.
    Set<ImageFormat.Reach> reaches =
        EnumSet.of(ImageFormat.Reach.IN_PROCESS, ImageFormat.Reach.WORKER);
    Vips.start(
        VipsSettings.defaults(VipsSettings.libraryFromEnvironment())
            .withLoaders(ImageFormat.loaderClasses(reaches)));
    Set<ImageFormat> reads = ImageFormat.readable(reaches);
    Set<ImageFormat> writes = ImageFormat.writable();
    idleMemory = Vips.stats().memory();

    try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      DataInputStream in = Wire.input(channel);
      DataOutputStream out = Wire.output(channel);
      String token = System.getenv(TOKEN_ENV);
      new Wire.Hello(token, ProcessHandle.current().pid(), Vips.version(), reads, writes)
          .write(out);
      out.flush();
      // After the hello: the lookup reads every jar on the classpath (tens of ms), which the
      // server need not wait for; a new worker waits for its first job meanwhile, as a rule.
      // On the module path the seam does not exist: the module declares no `uses` for it.
      Optional<JobInterceptor> interceptor =
          JobInterceptor.class.getModule().isNamed()
              ? Optional.empty()
              : ServiceLoader.load(JobInterceptor.class).findFirst();
      while (true) {
        Wire.Request request;
        try {
          request = Wire.Request.read(in);
        } catch (EOFException e) {
          return; // the server closed the connection: done
        }
        if (!(request instanceof Wire.Job job)) {
          return; // Exit
        }
        answer(job, interceptor).write(out);
        out.flush();
        giveBackHeap();
      }
    }
  }

  private static Wire.Reply answer(Wire.Job job, Optional<JobInterceptor> interceptor) {
    try {
      interceptor.ifPresent(i -> i.beforeJob(job.source()));
      return switch (job) {
        case Wire.Run r ->
            new Wire.Image(Pipeline.run(r.source(), r.plan(), r.watermark()), vipsMemory());
        case Wire.Measure m ->
            new Wire.Measured(Pipeline.measure(m.source(), m.format(), m.page()), vipsMemory());
      };
    } catch (ImgdException e) {
      return new Wire.Failed(
          e.code(), Objects.requireNonNullElse(e.getMessage(), e.code().code()), vipsMemory());
    } catch (RuntimeException e) {
      // A bug, not the input's fault: the trace goes to the server's log (the worker's stderr),
      // and the answer names no exception (FM-12).
      e.printStackTrace();
      return new Wire.Failed(ErrorCode.ENGINE_FAILED, "image processing failed", vipsMemory());
    }
  }

  /**
   * A large source or result lands in the old generation, which the serial collector grows rather
   * than collects: a few hundred 24 MP jobs left ~250 MiB of garbage resident in each worker.
   * Between jobs a worker holds nothing, so a full collection then is cheap (a few ms on a heap of
   * a few MiB live) and shrinks the heap back, handing its pages to the system.
   */
  private static void giveBackHeap() {
    if (Runtime.getRuntime().totalMemory() > HEAP_KEPT_BYTES) {
      System.gc();
    }
  }

  /**
   * libvips' tracked memory once the job's threads have let go, which ends every answer. libvips'
   * pool threads free their pixel buffers just after they signal the job done, so a reading taken
   * at once can count megabytes no job holds (the soak's "1 MiB after, 0 before" in an idle
   * worker): they get up to 2 ms to finish, which they need only when the race is on.
   */
  private static long vipsMemory() {
    long memory = Vips.stats().memory();
    for (int i = 0; i < 20 && memory > idleMemory; i++) {
      LockSupport.parkNanos(100_000);
      memory = Vips.stats().memory();
    }
    return memory;
  }
}
