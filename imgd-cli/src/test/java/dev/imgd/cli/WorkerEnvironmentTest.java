package dev.imgd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 (medium): the workers that decode hostile bytes hold none of the server's secrets. A
 * real {@code imgd serve} runs in a child JVM whose environment holds a key, a salt, a cloud
 * credential and JAVA_TOOL_OPTIONS; its workers' {@code /proc/<pid>/environ} and {@code cmdline}
 * must hold none of them, yet keep what the allocator needs and get a worker's allocator options.
 */
class WorkerEnvironmentTest {
  private static final String KEY = "736563726574";
  private static final String SALT = "68656c6c6f";
  private static final String AWS_SECRET = "aws-secret-e81d0c";
  private static final String TOOL_SECRET = "tool-secret-5b2a9f";

  @Test
  void workersStartWithoutTheServersSecrets(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("serve.log");
    ProcessBuilder pb = new ProcessBuilder(ChildServe.command(List.of()));
    Map<String, String> env = pb.environment();
    env.put("IMGD_BIND", "127.0.0.1:0");
    env.put("IMGD_LIBVIPS", System.getProperty("imgd.libvips"));
    env.put("IMGD_LIBVIPS_SYSTEM", "off");
    env.put("IMGD_LOCAL_ROOT", dir.toString());
    env.put("IMGD_WORKERS", "1");
    env.put("IMGD_KEY", KEY);
    env.put("IMGD_SALT", SALT);
    env.put("AWS_SECRET_ACCESS_KEY", AWS_SECRET);
    env.put("JAVA_TOOL_OPTIONS", "-Dimgd.test.secret=" + TOOL_SECRET);
    env.put("MALLOC_ARENA_MAX", "2");
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    Process server = pb.start();
    try {
      List<ProcessHandle> workers = awaitWorkers(server, log);
      assertThat(environ(server.toHandle()))
          .as("the test's premise: the server holds the secrets")
          .containsKeys("IMGD_KEY", "IMGD_SALT", "AWS_SECRET_ACCESS_KEY", "JAVA_TOOL_OPTIONS");
      for (ProcessHandle worker : workers) {
        Map<String, String> environ = environ(worker);
        assertThat(environ)
            .doesNotContainKeys(
                "IMGD_KEY", "IMGD_SALT", "AWS_SECRET_ACCESS_KEY", "JAVA_TOOL_OPTIONS")
            .containsKey("IMGD_WORKER_TOKEN")
            .containsEntry("MALLOC_ARENA_MAX", "2")
            // jemalloc's options for a worker (one arena, freed pages handed back): issue 17
            .hasEntrySatisfying("MALLOC_CONF", conf -> assertThat(conf).contains("narenas:1"));
        String everything = environ + " " + cmdline(worker);
        for (String secret : List.of(KEY, SALT, AWS_SECRET, TOOL_SECRET)) {
          assertThat(everything).as("worker %d", worker.pid()).doesNotContainIgnoringCase(secret);
        }
      }
    } finally {
      server.destroy();
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.descendants().forEach(ProcessHandle::destroyForcibly);
        server.destroyForcibly();
      }
    }
  }

  /** The server's worker processes, once it has started one (its environment is set by then). */
  private static List<ProcessHandle> awaitWorkers(Process server, Path log) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < until) {
      assertThat(server.isAlive())
          .as("imgd serve exited: %s", Files.readString(log, StandardCharsets.UTF_8))
          .isTrue();
      List<ProcessHandle> workers =
          server
              .descendants()
              .filter(p -> cmdline(p).contains("dev.imgd.worker.WorkerMain"))
              .toList();
      if (!workers.isEmpty()) {
        return workers;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "imgd serve started no worker within 60 s: "
            + Files.readString(log, StandardCharsets.UTF_8));
  }

  private static Map<String, String> environ(ProcessHandle p) throws IOException {
    Map<String, String> env = new HashMap<>();
    for (String entry : procFile(p, "environ").split("\0")) {
      int eq = entry.indexOf('=');
      if (eq > 0) {
        env.put(entry.substring(0, eq), entry.substring(eq + 1));
      }
    }
    return env;
  }

  private static String cmdline(ProcessHandle p) {
    try {
      return procFile(p, "cmdline").replace('\0', ' ');
    } catch (IOException e) {
      return ""; // gone meanwhile
    }
  }

  private static String procFile(ProcessHandle p, String file) throws IOException {
    return Files.readString(Path.of("/proc", Long.toString(p.pid()), file), StandardCharsets.UTF_8);
  }
}
