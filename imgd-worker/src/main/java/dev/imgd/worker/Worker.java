package dev.imgd.worker;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's handle on one worker process: its connection, what its libvips reads and writes, the
 * watchdog's marks for its job in flight, and why it died.
 */
final class Worker {
  /** Why a worker stopped. */
  enum Death {
    /** Killed: its job overran the deadline plus the grace. */
    DEADLINE,
    /** Killed: its resident memory passed the cap. */
    MEMORY,
    /** It ran out of memory by itself (Java heap, or the kernel's OOM killer). */
    OOM,
    /** It crashed: a signal such as SIGSEGV or SIGABRT, or an unexpected exit. */
    CRASH;

    /** Whether the input its job ran on is quarantined: not for a deadline, which load explains. */
    boolean quarantines() {
      return this != DEADLINE;
    }

    /** The typed error for the job a worker died under; {@code detail} names a crash's signal. */
    ImgdException error(String detail) {
      return switch (this) {
        case DEADLINE ->
            new ImgdException(
                ErrorCode.DEADLINE_EXCEEDED,
                "the image was not done by the deadline; its worker was stopped");
        case MEMORY, OOM ->
            new ImgdException(
                ErrorCode.MEMORY_EXCEEDED,
                "the image needed more memory than a worker may use; its worker was stopped");
        case CRASH ->
            new ImgdException(
                ErrorCode.WORKER_CRASHED,
                "the image crashed its decoder (" + detail + "); the worker was replaced");
      };
    }
  }

  private static final long PAGE_SIZE = 4096; // x86-64 and aarch64 Linux defaults
  private static final Pattern SIGNAL = Pattern.compile("#\\s+(SIG[A-Z]+)");

  /** How the JVM's crash report marks a signal another process sent (si_code SI_USER). */
  private static final String SENT_BY_KILL = "(sent by kill)";

  final Process process;
  final long pid;
  final String libvipsVersion;
  final Set<ImageFormat> reads;
  final Set<ImageFormat> writes;
  final long baselineRss;
  final WorkerClient client;
  private final Path errorFile;

  /** When the watchdog kills the job in flight (System.nanoTime), or 0 when idle. */
  volatile long killAtNanos;

  /** libvips' tracked memory after the last reply. */
  volatile long vipsMemory;

  private final AtomicReference<Death> killedFor = new AtomicReference<>();

  Worker(Process process, WorkerClient client, Wire.Hello hello, Path errorFile) {
    this.process = process;
    this.pid = process.pid();
    this.client = client;
    this.libvipsVersion = hello.libvipsVersion();
    this.reads = hello.reads();
    this.writes = hello.writes();
    this.errorFile = errorFile;
    this.baselineRss = rss();
  }

  /** Resident set size in bytes, from /proc; 0 once the process is gone. */
  long rss() {
    return rss(pid);
  }

  /** A process's resident set size in bytes, from /proc; 0 once it is gone. */
  static long rss(long pid) {
    try {
      String statm = Files.readString(Path.of("/proc", Long.toString(pid), "statm"));
      return Long.parseLong(statm.split(" ", 3)[1]) * PAGE_SIZE; // size, resident, rest
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * Starts a new measure of the process's peak resident memory (Linux resets VmHWM when "5" is
   * written to clear_refs), so that {@link #peakRss} after a job is that job's.
   */
  void resetPeak() {
    try {
      Files.writeString(Path.of("/proc", Long.toString(pid), "clear_refs"), "5");
    } catch (IOException | RuntimeException e) {
      // gone, or a kernel without it: the peak then covers the worker's life
    }
  }

  /** The highest resident set size since {@link #resetPeak} (VmHWM), in bytes; 0 if unknown. */
  long peakRss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.substring(6).replace("kB", "").strip()) << 10;
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return 0;
  }

  boolean busy() {
    return killAtNanos != 0;
  }

  boolean healthy() {
    return killedFor.get() == null && process.isAlive();
  }

  /** SIGKILL, recording why; the first cause wins. */
  void kill(Death cause) {
    killedFor.compareAndSet(null, cause);
    process.destroyForcibly();
  }

  /**
   * Why the worker died, once it has: the cause it was killed for, else what its exit status and
   * the JVM's crash report say. Waits for the exit (and reaps the process).
   */
  Death death() {
    Death killed = killedFor.get();
    if (killed != null) {
      return killed; // killed by the watchdog: the cause is known, the JDK reaps it meanwhile
    }
    try {
      process.onExit().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      kill(Death.CRASH); // alive but not answering: treat as crashed
    }
    killed = killedFor.get();
    if (killed != null) {
      return killed;
    }
    int status = process.isAlive() ? -1 : process.exitValue();
    // 3: -XX:+ExitOnOutOfMemoryError; 137: SIGKILL that imgd did not send, the OOM killer.
    return status == 3 || status == 137 ? Death.OOM : Death.CRASH;
  }

  /**
   * Whether another process's signal ended it, not its own job: a SIGKILL imgd did not send (the
   * kernel's OOM killer, an operator), a SIGTERM, SIGINT or SIGHUP, or a crash signal the JVM's
   * crash report says was sent by kill. Call after {@link #death}, which waits for the exit.
   */
  boolean killedFromOutside() {
    if (killedFor.get() != null || process.isAlive()) {
      return false;
    }
    return switch (process.exitValue() - 128) {
      case 1, 2, 9, 15 -> true; // SIGHUP, SIGINT, SIGKILL, SIGTERM
      default -> crashReport().contains(SENT_BY_KILL);
    };
  }

  /** The JVM's crash report (hs_err), or "" if it wrote none. */
  private String crashReport() {
    try {
      return Files.isRegularFile(errorFile) ? Files.readString(errorFile) : "";
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** The signal or status a crash ended with, e.g. "SIGSEGV" or "exit status 1". */
  String crashDetail() {
    Matcher m = SIGNAL.matcher(crashReport());
    if (m.find()) {
      return m.group(1);
    }
    if (process.isAlive()) {
      return "no answer";
    }
    int status = process.exitValue();
    return switch (status - 128) {
      case 1 -> "SIGHUP";
      case 2 -> "SIGINT";
      case 4 -> "SIGILL";
      case 6 -> "SIGABRT";
      case 7 -> "SIGBUS";
      case 8 -> "SIGFPE";
      case 9 -> "SIGKILL";
      case 11 -> "SIGSEGV";
      case 15 -> "SIGTERM";
      default -> status > 128 ? "signal " + (status - 128) : "exit status " + status;
    };
  }

  /** Asks the worker to exit, then makes sure it has. */
  void stop() {
    try {
      client.exit();
      process.onExit().get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      process.destroyForcibly();
    }
    close();
  }

  /** Releases the socket; the process is reaped by the JDK once it exits. */
  void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "worker " + pid + " (libvips " + libvipsVersion + ")";
  }
}
