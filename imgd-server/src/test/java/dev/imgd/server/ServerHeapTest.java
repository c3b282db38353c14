package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.server.settings.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 17: the server's heap follows the settings (the JVM's default is a quarter of the machine,
 * and G1 started at 1/64 of it: 384 MiB here for a server that keeps about 30 MiB live).
 */
class ServerHeapTest {
  private static final long MIB = 1 << 20;

  @Test
  void defaultsNeedTheCacheTheBuffersAndTheFixedPart() {
    Settings defaults = Settings.from(Map.of());
    assertThat(ServerHeap.needed(defaults)).isEqualTo((96 + 256 + 128) * MIB);
    assertThat(ServerHeap.jvmOptions(defaults))
        .containsExactly("-Xms32m", "-Xmx480m", "-XX:+UseG1GC");
  }

  @Test
  void aLargerCacheOrBufferSettingGrowsTheHeap() {
    Settings s =
        Settings.from(
            Map.of(
                "IMGD_CACHE_MAX_BYTES", String.valueOf(1024 * MIB),
                "IMGD_MAX_BUFFERED_BYTES", String.valueOf(512 * MIB + 1)));
    assertThat(ServerHeap.jvmOptions(s)).contains("-Xmx1633m"); // 96 + 1024 + 512, rounded up
    assertThat(ServerHeap.bufferBudget(s, 100 * MIB)).isEqualTo(512 * MIB + 1); // set: as set
  }

  @Test
  void autoBuffersAreWhatTheHeapLeavesSoCacheAndBuffersNeverOutgrowIt() {
    Settings noCache = Settings.from(Map.of("IMGD_CACHE_MAX_BYTES", "0"));
    assertThat(ServerHeap.bufferBudget(noCache, ServerHeap.needed(noCache)))
        .isEqualTo(ServerHeap.DEFAULT_BUFFERS);
    // An operator's own -Xmx2g: the buffers take what the cache and the fixed part leave.
    Settings defaults = Settings.from(Map.of());
    assertThat(ServerHeap.bufferBudget(defaults, 2048 * MIB)).isEqualTo((2048 - 256 - 96) * MIB);
    // A heap too small for the cache still buffers one large download.
    assertThat(ServerHeap.bufferBudget(defaults, 300 * MIB)).isEqualTo(32 * MIB);
  }
}
