package dev.imgd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code imgd serve} in a child JVM: a bad setting stops it within seconds, before libvips loads or
 * a port opens, with a non-zero exit and one line naming the setting, the value and what is
 * allowed.
 */
class ServeSettingsTest {
  private static ChildServe.Exit serve(Map<String, String> env, String... args) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(ChildServe.command(List.of(), args));
    pb.environment().put("IMGD_BIND", "127.0.0.1:0");
    pb.environment().put("IMGD_LIBVIPS_SYSTEM", "off");
    pb.environment().putAll(env);
    return ChildServe.run(pb, 20);
  }

  @ParameterizedTest
  @CsvSource({
    "IMGD_TTL, -5, a whole number >= 0",
    "IMGD_ALLOWED_NETWORKS, notacidr, CIDRs",
    "IMGD_SIGNATURE_SIZE, 99, a whole number from 1 to 32",
    "IMGD_WORKERS, abc, cores or a whole number",
    "IMGD_BIND, nonsense, host:port"
  })
  void badSettingStopsServeAtOnceNamingIt(String name, String value, String allowed)
      throws Exception {
    long t0 = System.nanoTime();
    ChildServe.Exit e = serve(Map.of(name, value));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
    assertThat(e.code()).isNotZero();
    assertThat(e.err().strip().lines()).hasSize(1);
    assertThat(e.err())
        .startsWith("imgd: bad setting " + name + "=" + value + " ")
        .contains("allowed: ")
        .contains(allowed)
        .doesNotContain("Exception", "\tat ");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        // Issue 16: a misspelt IMGD_ variable was ignored, its setting left at the default.
        "IMGD_TLL|60|imgd: unknown setting IMGD_TLL in the environment",
        // Key and salt set but unusable: not hex, a key without a salt.
        "IMGPROXY_KEY|zz|imgd: bad setting IMGPROXY_KEY=*** (environment)",
        "IMGPROXY_KEY|736563726574|imgd: bad settings IMGD_KEY and IMGD_SALT",
        // imgproxy refuses an empty preset too.
        "IMGD_PRESETS|test=|imgd: bad setting IMGD_PRESETS=test= (environment)",
      })
  void unknownNameOrUnusableKeyStopsServeAtOnce(String name, String value, String line)
      throws Exception {
    ChildServe.Exit e = serve(Map.of(name, value));
    assertThat(e.code()).isNotZero();
    assertThat(e.err().strip().lines()).hasSize(1);
    assertThat(e.err()).startsWith(line).doesNotContain("Exception", "\tat ");
  }

  @Test
  void adminBindWithoutATokenOrOffLoopbackStopsServe() throws Exception {
    // Issue 15: IMGD_ADMIN_BIND=0.0.0.0:... started without a word, the recordings open to all.
    for (Map<String, String> env :
        List.of(
            Map.of("IMGD_ADMIN_BIND", "127.0.0.1:0"),
            Map.of("IMGD_ADMIN_BIND", "0.0.0.0:0", "IMGD_ADMIN_TOKEN", "admin-token-0123456789"))) {
      ChildServe.Exit e = serve(env);
      assertThat(e.code()).isNotZero();
      assertThat(e.err().strip().lines()).hasSize(1);
      assertThat(e.err())
          .startsWith("imgd: bad setting IMGD_ADMIN_BIND=")
          .doesNotContain("admin-token", "Exception");
    }
  }

  @Test
  void printJvmOptionsSizesTheHeapFromTheSettings() throws Exception {
    // The launcher starts the server with these (issue 17: the JVM's default heap grew to 340-430
    // MiB of RSS for 30 MiB live).
    ChildServe.Exit e = serve(Map.of("IMGD_CACHE_MAX_BYTES", "0"), "--print-jvm-options");
    assertThat(e.code()).as(e.err()).isZero();
    assertThat(e.out().strip()).isEqualTo("-Xms32m -Xmx224m -XX:+UseG1GC");
    ChildServe.Exit bad = serve(Map.of("IMGD_CACHE_MAX_BYTES", "lots"), "--print-jvm-options");
    assertThat(bad.code()).isNotZero();
    assertThat(bad.err()).contains("bad setting IMGD_CACHE_MAX_BYTES=lots");
  }

  @Test
  void printSettingsShowsEffectiveValuesWithSecretsMasked() throws Exception {
    ChildServe.Exit e = serve(Map.of("IMGD_KEY", "736563726574"), "--print-settings");
    assertThat(e.code()).isEqualTo(Main.EXIT_ENVIRONMENT);
    assertThat(e.err()).startsWith("imgd: bad settings IMGD_KEY and IMGD_SALT");

    ChildServe.Exit ok =
        serve(
            Map.of(
                "IMGD_TTL",
                "60",
                "IMGD_KEY",
                "736563726574",
                "IMGD_SALT",
                "68656C6C6F",
                "IMGD_ADMIN_TOKEN",
                "admin-token-0123456789"),
            "--print-settings");
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(ok.out())
        .contains("IMGD_TTL=60  # environment")
        .contains("IMGD_TIMEOUT=10  # default")
        .contains("IMGD_KEY=***  # environment")
        .contains("IMGD_SALT=***  # environment")
        .contains("IMGD_ADMIN_TOKEN=***  # environment")
        .doesNotContain("736563726574", "admin-token")
        .contains("IMGD_LIBVIPS=");
  }
}
