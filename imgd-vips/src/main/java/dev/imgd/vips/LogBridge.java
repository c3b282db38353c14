package dev.imgd.vips;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes GLib log messages (libvips warnings included) to SLF4J instead of stderr. A corrupt file
 * can make libvips warn thousands of times, so warnings are rate-limited per minute.
 */
@SuppressWarnings("restricted") // FFM: the log handler is an upcall and reads C strings
final class LogBridge {
  private static final Logger LOG = LoggerFactory.getLogger("libvips");
  private static final int WARNINGS_PER_MINUTE = 60;
  private static final AtomicLong WINDOW_START = new AtomicLong();
  private static final AtomicLong IN_WINDOW = new AtomicLong();
  private static final AtomicLong SUPPRESSED = new AtomicLong();
  // GObject complains through the log, not an error code, when a property value is refused.
  private static final ThreadLocal<String> PROPERTY_COMPLAINT = new ThreadLocal<>();

  // GLogLevelFlags
  private static final int ERROR = 1 << 2;
  private static final int CRITICAL = 1 << 3;
  private static final int WARNING = 1 << 4;
  private static final int MESSAGE = 1 << 5;

  private LogBridge() {}

  static void install(Lib lib) {
    try {
      var handle =
          MethodHandles.lookup()
              .findStatic(
                  LogBridge.class,
                  "log",
                  MethodType.methodType(
                      void.class,
                      MemorySegment.class,
                      int.class,
                      MemorySegment.class,
                      MemorySegment.class));
      MemorySegment stub =
          Lib.LINKER.upcallStub(
              handle,
              FunctionDescriptor.ofVoid(
                  ValueLayout.ADDRESS,
                  ValueLayout.JAVA_INT,
                  ValueLayout.ADDRESS,
                  ValueLayout.ADDRESS),
              Arena.global());
      lib.g_log_set_default_handler(stub, MemorySegment.NULL);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Forgets any GObject complaint recorded on this thread. */
  static void clearComplaint() {
    PROPERTY_COMPLAINT.remove();
  }

  /** The GObject warning or critical logged on this thread since {@link #clearComplaint}. */
  static String takeComplaint() {
    String complaint = PROPERTY_COMPLAINT.get();
    PROPERTY_COMPLAINT.remove();
    return complaint;
  }

  /** How many warnings were dropped by the rate limit since start. */
  static long suppressed() {
    return SUPPRESSED.get();
  }

  // Upcall, possibly on a libvips thread: an exception escaping here would kill the JVM.
  @SuppressWarnings("unused")
  private static void log(
      MemorySegment domain, int level, MemorySegment message, MemorySegment data) {
    try {
      String text = cString(message);
      String where = domain.equals(MemorySegment.NULL) ? "GLib" : cString(domain);
      if (where.startsWith("GLib-GObject") && (level & (CRITICAL | WARNING)) != 0) {
        PROPERTY_COMPLAINT.set(text);
      }
      if ((level & (ERROR | CRITICAL)) != 0) {
        LOG.error("{}: {}", where, text);
      } else if ((level & WARNING) != 0) {
        if (admitWarning()) {
          LOG.warn("{}: {}", where, text);
        }
      } else if ((level & MESSAGE) != 0) {
        LOG.info("{}: {}", where, text);
      } else {
        LOG.debug("{}: {}", where, text);
      }
    } catch (Throwable t) {
      // Nothing may escape an upcall; the message is lost, the process is not.
    }
  }

  private static boolean admitWarning() {
    long minute = System.nanoTime() / 60_000_000_000L;
    if (WINDOW_START.getAndSet(minute) != minute) {
      long dropped = IN_WINDOW.getAndSet(0) - WARNINGS_PER_MINUTE;
      if (dropped > 0) {
        LOG.warn("{} libvips warnings suppressed in the last minute", dropped);
      }
    }
    if (IN_WINDOW.incrementAndGet() <= WARNINGS_PER_MINUTE) {
      return true;
    }
    SUPPRESSED.incrementAndGet();
    return false;
  }

  private static String cString(MemorySegment s) {
    return s.equals(MemorySegment.NULL) ? "" : s.reinterpret(16 * 1024).getString(0);
  }
}
