package dev.imgd.server.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The settings table: every default parses, every bad value is refused naming its setting. */
class SettingsTest {
  @TempDir Path dir;

  static final Path DOC = Path.of("..", "docs", "settings.md");

  @Test
  void docsMatchTheTable() throws IOException {
    String rendered = Settings.markdown();
    if (Boolean.getBoolean("imgd.writeDocs")) {
      Files.writeString(DOC, rendered, StandardCharsets.UTF_8);
    }
    assertThat(Files.readString(DOC, StandardCharsets.UTF_8))
        .as("docs/settings.md is generated: run SettingsTest with -Dimgd.writeDocs=true")
        .isEqualTo(rendered);
  }

  @Test
  void defaultsParseAndEachNameIsDeclaredOnce() {
    Settings s = Settings.from(Map.of());
    assertThat(s.get(Settings.BIND)).isEqualTo(new HostPort("127.0.0.1", 8080));
    assertThat(s.get(Settings.TIMEOUT)).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.get(Settings.TTL)).isEqualTo(31_536_000L);
    assertThat(s.get(Settings.RSS_BUDGET)).isEqualTo(OptionalLong.empty());
    assertThat(s.get(Settings.WORKERS)).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(s.get(Settings.KEY)).isEmpty();
    var names = new HashSet<String>();
    Settings.table().forEach(t -> assertThat(names.add(t.name())).as(t.name()).isTrue());
    assertThat(names)
        .contains(
            "IMGD_LIBVIPS",
            "IMGD_CACHE_DIR",
            "IMGD_ALLOCATOR",
            "IMGD_JAVA_OPTS",
            "IMGD_LOG_FORMAT",
            "IMGD_LOG_LEVEL",
            "IMGD_CONFIG");
  }

  @ParameterizedTest
  @CsvSource({
    "IMGD_TTL, -5",
    "IMGD_ALLOWED_NETWORKS, notacidr",
    "IMGD_SIGNATURE_SIZE, 99",
    "IMGD_WORKERS, abc",
    "IMGD_BIND, nonsense",
    "IMGD_BIND, host:99999",
    "IMGD_TIMEOUT, 0",
    "IMGD_MODE, fast",
    "IMGD_AUTO_WEBP, maybe",
    "IMGD_RSS_BUDGET, lots",
    "IMGD_PRESETS, =x",
    "IMGD_ADMIN_BIND, nope",
    "IMGD_TRUSTED_SOURCES, trusted.test",
    "IMGD_TRUSTED_SOURCES, ftp://trusted.test/",
    "IMGD_TRUSTED_SOURCES, http:///nohost",
    "IMGD_TRUSTED_SOURCES, https://a.test/?q=1",
    "IMGD_QUALITY, 0",
    "IMGD_QUALITY, 101",
    "IMGD_FORMAT_QUALITY, webp",
    "IMGD_FORMAT_QUALITY, tga=50",
    "IMGD_FORMAT_QUALITY, webp=0"
  })
  void badValueIsRefusedNamingTheSettingTheValueAndWhatIsAllowed(String name, String value) {
    assertThatThrownBy(() -> Settings.from(Map.of(name, value)))
        .isInstanceOf(SettingException.class)
        .hasMessageStartingWith("bad setting " + name + "=" + value + " (environment): allowed: ")
        .hasMessageNotContaining("\n");
  }

  @Test
  void secretsAreMaskedInErrorsAndInTheDescription() {
    assertThatThrownBy(() -> Settings.from(Map.of("IMGD_KEY", "zz-secret", "IMGD_SALT", "00")))
        .hasMessageStartingWith("bad setting IMGD_KEY=*** (environment)")
        .hasMessageNotContaining("zz-secret");
    Settings s = Settings.from(Map.of("IMGD_KEY", "abcd", "IMGD_SALT", "0102"));
    assertThat(s.describe())
        .contains("IMGD_KEY=***  # environment")
        .noneMatch(l -> l.contains("abcd"));
  }

  @Test
  void keysAndSaltsGoInPairs() {
    assertThatThrownBy(() -> Settings.from(Map.of("IMGD_KEY", "abcd")))
        .hasMessageContaining("IMGD_KEY and IMGD_SALT");
  }

  @Test
  void adminBindWithoutATokenOrOffLoopbackIsRefused() {
    // Issue 15: GET /admin/jfr needed no credential, and IMGD_ADMIN_BIND=0.0.0.0:... started.
    String token = "0123456789abcdef-admin";
    assertThatThrownBy(() -> Settings.from(Map.of("IMGD_ADMIN_BIND", "127.0.0.1:9001")))
        .isInstanceOf(SettingException.class)
        .hasMessage(
            "bad setting IMGD_ADMIN_BIND=127.0.0.1:9001: allowed: only with IMGD_ADMIN_TOKEN set");
    assertThatThrownBy(() ->
            Settings.from(Map.of("IMGD_ADMIN_BIND", "0.0.0.0:9001", "IMGD_ADMIN_TOKEN", token)))
        .isInstanceOf(SettingException.class)
        .hasMessage(
            "bad setting IMGD_ADMIN_BIND=0.0.0.0:9001: allowed: a loopback address unless"
                + " IMGD_ADMIN_ALLOW_REMOTE=true");
    Settings.from(
        Map.of(
            "IMGD_ADMIN_BIND",
            "0.0.0.0:9001",
            "IMGD_ADMIN_TOKEN",
            token,
            "IMGD_ADMIN_ALLOW_REMOTE",
            "true"));
    assertThatThrownBy(() -> Settings.from(Map.of("IMGD_ADMIN_TOKEN", "short")))
        .hasMessageStartingWith("bad setting IMGD_ADMIN_TOKEN=*** (environment): allowed: ")
        .hasMessageNotContaining("short");
    assertThat(
            Settings.from(Map.of("IMGD_ADMIN_BIND", "localhost:9001", "IMGD_ADMIN_TOKEN", token))
                .describe())
        .contains("IMGD_ADMIN_TOKEN=***  # environment")
        .noneMatch(l -> l.contains(token));
  }

  @Test
  void metricsAutoIsPublicWithoutSigningElseAdmin() {
    String token = "0123456789abcdef-admin";
    Map<String, String> signed = Map.of("IMGD_KEY", "abcd", "IMGD_SALT", "0102");
    assertThat(Settings.from(Map.of()).metricsOn()).isEqualTo("public");
    assertThat(Settings.from(signed).metricsOn()).isEqualTo("off");
    Map<String, String> withAdmin = new java.util.HashMap<>(signed);
    withAdmin.putAll(Map.of("IMGD_ADMIN_BIND", "127.0.0.1:0", "IMGD_ADMIN_TOKEN", token));
    assertThat(Settings.from(withAdmin).metricsOn()).isEqualTo("admin");
    withAdmin.put("IMGD_METRICS", "public");
    assertThat(Settings.from(withAdmin).metricsOn()).isEqualTo("public");
    assertThatThrownBy(() -> Settings.from(Map.of("IMGD_METRICS", "admin")))
        .hasMessage("bad setting IMGD_METRICS=admin: allowed: only with IMGD_ADMIN_BIND set");
  }

  @Test
  void configFileIsUnderTheEnvironmentAndRefusesUnknownKeys() throws Exception {
    Path file = Files.writeString(dir.resolve("imgd.properties"), "IMGD_TTL=60\nIMGD_WORKERS=3\n");
    Settings s = Settings.from(Map.of("IMGD_CONFIG", file.toString(), "IMGD_WORKERS", "2"));
    assertThat(s.get(Settings.TTL)).isEqualTo(60L);
    assertThat(s.get(Settings.WORKERS)).isEqualTo(2);
    assertThat(s.describe()).contains("IMGD_TTL=60  # IMGD_CONFIG");

    Files.writeString(file, "IMGD_TLL=60\n");
    assertThatThrownBy(() -> Settings.from(Map.of("IMGD_CONFIG", file.toString())))
        .hasMessageStartingWith("unknown setting IMGD_TLL in IMGD_CONFIG");
    Files.writeString(file, "IMGD_TTL=-1\n");
    assertThatThrownBy(() -> Settings.from(Map.of("IMGD_CONFIG", file.toString())))
        .hasMessageStartingWith("bad setting IMGD_TTL=-1 (IMGD_CONFIG)");
  }

  @Test
  void unknownEnvironmentVariableStopsTheStartNamingIt() {
    // Issue 16: a misspelt IMGD_ variable was only warned about, its setting left at the default.
    assertThatThrownBy(() -> Settings.from(Map.of("IMGD_TLL", "60")))
        .isInstanceOf(SettingException.class)
        .hasMessage("unknown setting IMGD_TLL in the environment (see imgd serve --help)");
    // The launcher's own variables and the test runner's are known.
    Settings s =
        Settings.from(
            Map.of(
                "IMGD_TEST_OTHER_BUILD", "0",
                "IMGD_TEST_GROUPS", "smoke",
                "IMGD_ALLOCATOR_IN_USE", "jemalloc",
                "IMGD_JAVA_OPTS", "-Xmx1g",
                "IMGD_LIBVIPS", "/x/libvips.so.42",
                "IMGD_JAVA_HOME", "/x/jdk",
                "IMGD_CACHE_DIR", "/x/cache",
                "IMGD_ALLOCATOR", "glibc"));
    assertThat(s.warnings()).isEmpty();
  }
}
