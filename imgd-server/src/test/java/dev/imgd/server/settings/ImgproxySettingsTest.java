package dev.imgd.server.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * imgproxy's settings under their own names (issue 16), with the cases of imgproxy's
 * options/parser/presets_test.go and config_test.go and of its security config's checks.
 */
class ImgproxySettingsTest {
  @TempDir Path dir;

  @Test
  void imgproxyNamesAreReadAndTheImgdNameWins() {
    Settings s =
        Settings.from(
            Map.of(
                "IMGPROXY_KEY", "736563726574",
                "IMGPROXY_SALT", "68656C6C6F",
                "IMGPROXY_SIGNATURE_SIZE", "8",
                "IMGPROXY_TTL", "60",
                "IMGD_TTL", "90",
                "IMGPROXY_LOCAL_FILESYSTEM_ROOT", dir.toString(),
                "IMGPROXY_USE_S3", "true",
                "IMGPROXY_ONLY_PRESETS", "t",
                "IMGPROXY_TIMEOUT", "7",
                "IMGPROXY_GRACEFUL_STOP_TIMEOUT", "3"));
    assertThat(s.get(Settings.KEY)).hasSize(1);
    assertThat(s.get(Settings.SALT)).hasSize(1);
    assertThat(s.get(Settings.SIGNATURE_SIZE)).isEqualTo(8);
    assertThat(s.get(Settings.TTL)).isEqualTo(90L);
    assertThat(s.get(Settings.LOCAL_ROOT)).hasValue(dir.toAbsolutePath());
    assertThat(s.get(Settings.USE_S3)).isTrue();
    assertThat(s.get(Settings.ONLY_PRESETS)).isTrue(); // Go's ParseBool takes t and f
    assertThat(s.get(Settings.TIMEOUT)).isEqualTo(Duration.ofSeconds(7));
    assertThat(s.get(Settings.DRAIN_TIMEOUT)).isEqualTo(Duration.ofSeconds(3));
    assertThat(s.describe())
        .contains(
            "IMGD_TTL=90  # environment",
            "IMGD_SIGNATURE_SIZE=8  #" + " environment as IMGPROXY_SIGNATURE_SIZE");
    // Empty counts as not set, as in imgproxy.
    assertThat(Settings.from(Map.of("IMGPROXY_TTL", "")).get(Settings.TTL)).isEqualTo(31_536_000L);
  }

  @Test
  void valuesAreConvertedWhereImgproxyMeansSomethingElse() {
    Settings s =
        Settings.from(
            Map.of(
                "IMGPROXY_BIND", ":8081", // imgproxy: every address
                "IMGPROXY_MAX_SRC_RESOLUTION", "16.8", // imgproxy: float megapixels
                "IMGPROXY_REQUESTS_QUEUE_SIZE", "0", // imgproxy: unlimited
                "IMGPROXY_MAX_CLIENTS", "0", // imgproxy: unlimited
                "IMGPROXY_MAX_SRC_FILE_SIZE", "0", // imgproxy: unlimited; imgd keeps its limit
                "IMGPROXY_MAX_RESULT_DIMENSION", "0")); // the same
    assertThat(s.get(Settings.BIND)).isEqualTo(new HostPort("0.0.0.0", 8081));
    assertThat(s.get(Settings.MAX_SRC_RESOLUTION)).isEqualTo(16_800_000L);
    assertThat(s.get(Settings.QUEUE_SIZE)).isEqualTo(Integer.MAX_VALUE);
    assertThat(s.get(Settings.MAX_CONNECTIONS)).isEqualTo(Integer.MAX_VALUE);
    assertThat(s.get(Settings.MAX_SRC_FILE_SIZE)).isEqualTo(52_428_800L);
    assertThat(s.get(Settings.MAX_RESULT_DIMENSION)).isEqualTo(16_384);
    assertThat(Settings.from(Map.of()).get(Settings.MAX_SRC_RESOLUTION)).isEqualTo(50_000_000L);
    Settings sized =
        Settings.from(
            Map.of("IMGPROXY_MAX_SRC_FILE_SIZE", "1000", "IMGPROXY_ALLOWED_SOURCES", "local:///"));
    assertThat(sized.get(Settings.MAX_SRC_FILE_SIZE)).isEqualTo(1000L);
    assertThat(sized.get(Settings.ALLOWED_SOURCES)).containsExactly("local:///");
    // imgproxy's wildcards would silently allow less (or more) here: refused, naming it.
    assertThatThrownBy(
            () -> Settings.from(Map.of("IMGPROXY_ALLOWED_SOURCES", "https://*.example.com/")))
        .hasMessage(
            "bad setting IMGPROXY_ALLOWED_SOURCES=https://*.example.com/ (environment): allowed:"
                + " URL prefixes, without imgproxy's * wildcards");
  }

  @Test
  void unsupportedImgproxySettingsAreNamedInOneLine() {
    Settings s =
        Settings.from(
            Map.of(
                "IMGPROXY_USE_GCS", "true",
                "IMGPROXY_PRESETS_SEPARATOR", ";",
                "IMGPROXY_TTL", "60"));
    assertThat(s.warnings())
        .containsExactly(
            "imgproxy settings imgd does not support are ignored: IMGPROXY_PRESETS_SEPARATOR,"
                + " IMGPROXY_USE_GCS");
    assertThat(Settings.from(Map.of("IMGPROXY_TTL", "60")).warnings()).isEmpty();
    // Read by the launcher, which passes it on as IMGD_LOG_LEVEL: not unsupported.
    assertThat(Settings.from(Map.of("IMGPROXY_LOG_LEVEL", "warn")).warnings()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        // not hex, an odd count of digits: refused naming the variable, the secret masked
        "IMGPROXY_KEY=zz|IMGPROXY_SALT=68656C6C6F|bad setting IMGPROXY_KEY=*** (environment)",
        "IMGPROXY_KEY=736|IMGPROXY_SALT=68656C6C6F|bad setting IMGPROXY_KEY=***",
        "IMGD_KEY=736563726574|IMGD_SALT=6g|bad setting IMGD_SALT=***",
        // a key without a salt, a salt without a key (security/config.go's Validate)
        "IMGPROXY_KEY=736563726574|IMGPROXY_TTL=5|as many salts as keys, not 1 and 0",
        "IMGPROXY_SALT=68656C6C6F|IMGPROXY_TTL=5|as many salts as keys, not 0 and 1",
        "IMGD_KEY=736563726574|IMGPROXY_SALT=68656C6C6F,68656C6C6F|not 1 and 2",
      })
  void unusableKeyOrSaltStopsTheStart(String first, String second, String message) {
    Map<String, String> env =
        Map.of(
            first.substring(0, first.indexOf('=')), first.substring(first.indexOf('=') + 1),
            second.substring(0, second.indexOf('=')), second.substring(second.indexOf('=') + 1));
    assertThatThrownBy(() -> Settings.from(env))
        .isInstanceOf(SettingException.class)
        .hasMessageContaining(message)
        .hasMessageNotContaining("736563726574")
        .hasMessageNotContaining("68656C6C6F");
  }

  @Test
  void keyAndSaltMayComeOneFromEachName() {
    Settings s = Settings.from(Map.of("IMGD_KEY", "736563726574", "IMGPROXY_SALT", "68656C6C6F"));
    assertThat(s.get(Settings.KEY)).hasSize(1);
    assertThat(s.get(Settings.SALT)).hasSize(1);
  }

  // presets_test.go, through IMGPROXY_PRESETS (imgproxy's comma separator).

  @Test
  void parsePreset() {
    assertThat(
            Settings.from(Map.of("IMGPROXY_PRESETS", "test=resize:fit:100:200/sharpen:2"))
                .get(Settings.PRESETS))
        .isEqualTo(Map.of("test", "resize:fit:100:200/sharpen:2"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "resize:fit:100:200/sharpen:2", // TestParsePresetInvalidString
        "=resize:fit:100:200/sharpen:2", // TestParsePresetEmptyName
        "test=", // TestParsePresetEmptyValue
        "a=b=c", // parts != 2
      })
  void presetRefused(String preset) {
    for (String name : List.of("IMGPROXY_PRESETS", "IMGD_PRESETS")) {
      assertThatThrownBy(() -> Settings.from(Map.of(name, preset)))
          .isInstanceOf(SettingException.class)
          .hasMessageStartingWith("bad setting " + name + "=" + preset + " (environment)")
          .hasMessageContaining("name=options entries, both non-empty");
    }
  }

  @Test
  void blankPresetsAndCommentsAreSkipped() {
    // TestParsePresetEmptyString, TestParsePresetComment, config_test.go's TestPresetsEmpty
    for (String presets : List.of("   ", "#  test=resize:fit:100:200/sharpen:2", "")) {
      assertThat(Settings.from(Map.of("IMGPROXY_PRESETS", presets)).get(Settings.PRESETS))
          .isEmpty();
    }
    // config_test.go's TestPresetsPresent, with whole entries
    assertThat(
            Settings.from(Map.of("IMGPROXY_PRESETS", "p1=q:1, p2=q:2 ,p3=q:3"))
                .get(Settings.PRESETS))
        .isEqualTo(Map.of("p1", "q:1", "p2", "q:2", "p3", "q:3"));
  }

  @Test
  void watermarkFromDataOrPath() throws Exception {
    byte[] mark = "not checked until used".getBytes(StandardCharsets.UTF_8);
    Path file = Files.write(dir.resolve("mark.png"), mark);
    String data = Base64.getEncoder().encodeToString(mark);
    assertThat(Settings.from(Map.of("IMGPROXY_WATERMARK_DATA", data)).get(Settings.WATERMARK_DATA))
        .hasValueSatisfying(b -> assertThat(b).isEqualTo(mark));
    assertThat(
            Settings.from(Map.of("IMGPROXY_WATERMARK_PATH", file.toString()))
                .get(Settings.WATERMARK_PATH))
        .hasValueSatisfying(b -> assertThat(b).isEqualTo(mark));
    assertThat(Settings.from(Map.of()).get(Settings.WATERMARK_URL)).isEqualTo(Optional.empty());
    assertThatThrownBy(
            () -> Settings.from(Map.of("IMGD_WATERMARK_PATH", dir.resolve("none").toString())))
        .hasMessageStartingWith("bad setting IMGD_WATERMARK_PATH=")
        .hasMessageContaining("allowed: a readable file");
    assertThatThrownBy(() -> Settings.from(Map.of("IMGPROXY_WATERMARK_DATA", "%%%")))
        .hasMessageStartingWith("bad setting IMGPROXY_WATERMARK_DATA=%%% (environment)");
    assertThatThrownBy(() -> Settings.from(Map.of("IMGD_WATERMARK_URL", "mark.png")))
        .hasMessageContaining("allowed: an absolute URL");
  }

  @Test
  void watermarkOpacityAndCacheSize() {
    assertThat(Settings.from(Map.of()).get(Settings.WATERMARK_OPACITY)).isEqualTo(1.0);
    assertThat(
            Settings.from(Map.of("IMGPROXY_WATERMARK_OPACITY", "0.3"))
                .get(Settings.WATERMARK_OPACITY))
        .isEqualTo(0.3);
    assertThat(
            Settings.from(
                    Map.of("IMGPROXY_WATERMARK_OPACITY", "0.3", "IMGD_WATERMARK_OPACITY", "0.6"))
                .get(Settings.WATERMARK_OPACITY))
        .isEqualTo(0.6);
    assertThatThrownBy(() -> Settings.from(Map.of("IMGPROXY_WATERMARK_OPACITY", "1.5")))
        .hasMessageStartingWith("bad setting IMGPROXY_WATERMARK_OPACITY=1.5 (environment)")
        .hasMessageContaining("allowed: a number from 0 to 1");
    assertThat(
            Settings.from(Map.of("IMGPROXY_WATERMARKS_CACHE_SIZE", "0"))
                .get(Settings.WATERMARKS_CACHE_SIZE))
        .isZero();
    assertThat(Settings.from(Map.of()).get(Settings.WATERMARKS_CACHE_SIZE)).isEqualTo(256);
  }
}
