package dev.imgd.server;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingFile;

/**
 * JFR recordings on demand (FM-14): bounded in time, one at a time, and holding none of the
 * process's secrets. The environment (IMGD_KEY, IMGD_SALT, cloud credentials), the system
 * properties, the JVM's arguments ({@code -D} values) and other processes' command lines reach a
 * recording only through {@link #SECRET_EVENTS}: they are off in the recording's settings, and the
 * file is scrubbed of them as well, because it also holds what any other recording running at the
 * same time (say {@code -XX:StartFlightRecording}) turned on.
 */
final class Recordings {
  /** The JDK 25 events whose fields can carry the environment, properties or command lines. */
  static final Set<String> SECRET_EVENTS =
      Set.of(
          "jdk.InitialEnvironmentVariable",
          "jdk.InitialSystemProperty",
          "jdk.InitialSecurityProperty",
          "jdk.SecurityPropertyModification",
          "jdk.JVMInformation", // jvmArguments, javaArguments: the command line
          "jdk.StringFlag",
          "jdk.StringFlagChanged",
          "jdk.JavaAgent", // its options
          "jdk.NativeAgent",
          "jdk.SystemProcess", // every process's command line
          "jdk.ProcessStart"); // the command lines this process starts

  private final AtomicBoolean busy = new AtomicBoolean();

  /**
   * Records the next {@code length} with JFR's {@code profile} settings, less the secret events.
   *
   * @return the bytes of the .jfr file
   * @throws ImgdException {@link ErrorCode#OVERLOADED} while another recording runs
   */
  byte[] record(Duration length) throws IOException, ParseException, InterruptedException {
    if (!busy.compareAndSet(false, true)) {
      throw new ImgdException(ErrorCode.OVERLOADED, "a recording is already running");
    }
    Path dump = Files.createTempFile("imgd-", ".jfr"); // owner-only, like every temp file
    Path scrubbed = Files.createTempFile("imgd-", ".jfr");
    try (Recording r = new Recording(settings())) {
      r.setMaxAge(length);
      r.start();
      Thread.sleep(length);
      r.stop();
      r.dump(dump);
      try (RecordingFile file = new RecordingFile(dump)) {
        file.write(scrubbed, e -> !SECRET_EVENTS.contains(e.getEventType().getName()));
      }
      return Files.readAllBytes(scrubbed);
    } finally {
      Files.deleteIfExists(dump);
      Files.deleteIfExists(scrubbed);
      busy.set(false);
    }
  }

  private static Map<String, String> settings() throws IOException, ParseException {
    Map<String, String> s = new HashMap<>(Configuration.getConfiguration("profile").getSettings());
    SECRET_EVENTS.forEach(event -> s.put(event + "#enabled", "false"));
    return s;
  }
}
