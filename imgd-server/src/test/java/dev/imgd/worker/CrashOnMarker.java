package dev.imgd.worker;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The server tests' fault injection (registered in META-INF/services; the workers those tests start
 * find it on their classpath): a worker ends abruptly, as a crashing decoder would, on a job whose
 * source ends with {@link #MARKER}. The source before it can be a real image, which the server
 * probes and plans before the job reaches a worker.
 */
public final class CrashOnMarker implements JobInterceptor {
  public static final byte[] MARKER = "imgd-test-crash".getBytes(StandardCharsets.US_ASCII);

  @Override
  public void beforeJob(byte[] source) {
    int from = source.length - MARKER.length;
    if (from >= 0 && Arrays.equals(source, from, source.length, MARKER, 0, MARKER.length)) {
      Runtime.getRuntime().halt(1);
    }
  }
}
