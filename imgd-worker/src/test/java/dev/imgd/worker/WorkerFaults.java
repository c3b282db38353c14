package dev.imgd.worker;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The ways a decoder goes wrong, on demand: the tests' {@link JobInterceptor} (registered in
 * META-INF/services), which the workers that tests start find on their classpath. A job whose
 * source is a {@link #input fault input} makes its worker sleep, spin, grow, segv, abort or throw
 * (a bug); every other job runs as usual.
 *
 * <p>A faulty build, for the canary pool: a worker whose libvips was reached through a folder named
 * {@value #FAULTY_BUILD} ({@link #faultyBuild}) crashes with SIGSEGV on every image that ends with
 * the trailer of {@link #crashesFaultyBuild}; every other worker reads that image as usual (a JPEG
 * decoder stops at its end marker).
 */
public final class WorkerFaults implements JobInterceptor {
  private static final String PREFIX = "imgd-test-fault:";
  static final String FAULTY_BUILD = "faulty-build";
  private static final byte[] FAULTY_BUILD_TRAILER =
      (PREFIX + FAULTY_BUILD).getBytes(StandardCharsets.US_ASCII);

  /** A source that makes its worker commit {@code fault}; a new one each call (quarantine keys). */
  static byte[] input(String fault) {
    byte[] salt = new byte[16];
    ThreadLocalRandom.current().nextBytes(salt);
    return (PREFIX + fault + ":" + HexFormat.of().formatHex(salt))
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static final byte[] CRASH_TRAILER =
      (PREFIX + "crash").getBytes(StandardCharsets.US_ASCII);

  /**
   * {@code image} with a trailer that crashes any worker (SIGSEGV) before its decoder starts: an
   * image the server probes and plans as usual, which then kills the worker it reaches. Distinct
   * per call (quarantine keys).
   */
  public static byte[] crashesEveryWorker(byte[] image) {
    byte[] salt = new byte[16];
    ThreadLocalRandom.current().nextBytes(salt);
    byte[] marked = Arrays.copyOf(image, image.length + salt.length + CRASH_TRAILER.length);
    System.arraycopy(salt, 0, marked, image.length, salt.length);
    System.arraycopy(CRASH_TRAILER, 0, marked, image.length + salt.length, CRASH_TRAILER.length);
    return marked;
  }

  /**
   * A faulty build of {@code library}: a link to it in a folder {@value #FAULTY_BUILD} under {@code
   * dir}. The same libvips, but its workers crash on {@link #crashesFaultyBuild} images.
   */
  public static Path faultyBuild(Path library, Path dir) throws IOException {
    Path folder = Files.createDirectories(dir.resolve(FAULTY_BUILD));
    return Files.createSymbolicLink(folder.resolve(library.getFileName()), library);
  }

  /**
   * {@code image} with the trailer that crashes a faulty build's worker; distinct per {@code n}.
   */
  public static byte[] crashesFaultyBuild(byte[] image, int n) {
    byte[] tag = (n + ":").getBytes(StandardCharsets.US_ASCII);
    byte[] marked = Arrays.copyOf(image, image.length + tag.length + FAULTY_BUILD_TRAILER.length);
    System.arraycopy(tag, 0, marked, image.length, tag.length);
    System.arraycopy(
        FAULTY_BUILD_TRAILER, 0, marked, image.length + tag.length, FAULTY_BUILD_TRAILER.length);
    return marked;
  }

  @Override
  public void beforeJob(byte[] source) {
    String head = new String(source, 0, Math.min(source.length, 64), StandardCharsets.ISO_8859_1);
    if (head.startsWith(PREFIX)) {
      misbehave(head.substring(PREFIX.length(), head.indexOf(':', PREFIX.length())));
    }
    if (endsWith(source, CRASH_TRAILER)) {
      misbehave("segv");
    }
    Path folder = Path.of(System.getProperty("imgd.libvips", "")).getParent();
    if (folder != null && folder.endsWith(FAULTY_BUILD) && endsWith(source, FAULTY_BUILD_TRAILER)) {
      misbehave("segv");
    }
  }

  private static boolean endsWith(byte[] source, byte[] tail) {
    return source.length >= tail.length
        && Arrays.equals(source, source.length - tail.length, source.length, tail, 0, tail.length);
  }

  private static void misbehave(String fault) {
    Linker linker = Linker.nativeLinker();
    switch (fault) {
      case "sleep" -> {
        try {
          Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      case "spin" -> {
        long x = 0;
        while (x >= 0) {
          x = (x + 1) & Long.MAX_VALUE; // never negative: spins until killed
        }
      }
      case "grow" -> {
        // malloc and touch, as a decoder would: native memory the JVM does not limit.
        MethodHandle malloc =
            linker.downcallHandle(
                linker.defaultLookup().find("malloc").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        try {
          while (true) {
            long size = 64 << 20;
            MemorySegment block = ((MemorySegment) malloc.invokeExact(size)).reinterpret(size);
            block.fill((byte) 1);
          }
        } catch (Throwable t) {
          throw new IllegalStateException(t);
        }
      }
      case "segv" -> {
        // memset on address 8: a real SIGSEGV inside native code, as a codec bug would raise.
        try {
          linker
              .downcallHandle(
                  linker.defaultLookup().find("memset").orElseThrow(),
                  FunctionDescriptor.of(
                      ValueLayout.ADDRESS,
                      ValueLayout.ADDRESS,
                      ValueLayout.JAVA_INT,
                      ValueLayout.JAVA_LONG))
              .invoke(MemorySegment.ofAddress(8), 0, 64L);
        } catch (Throwable t) {
          throw new IllegalStateException(t);
        }
      }
      case "abort" -> {
        try {
          linker
              .downcallHandle(
                  linker.defaultLookup().find("abort").orElseThrow(), FunctionDescriptor.ofVoid())
              .invoke();
        } catch (Throwable t) {
          throw new IllegalStateException(t);
        }
      }
      case "bug" -> throw new ArrayIndexOutOfBoundsException("Index 1 out of bounds for length 1");
      default -> throw new ImgdException(ErrorCode.BAD_OPTIONS, "no fault " + fault);
    }
  }
}
