package dev.imgd.core.options;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The options parser either returns options or throws ImgdException with BAD_OPTIONS or
 * UNSUPPORTED_FORMAT, whatever the string (FM-12: no untyped error reaches a client; FM-23:
 * presets-only mode holds for any input). What it returns has a canonical form that parses back to
 * itself, as {@link Options#canonical()} promises. Every input runs through a parser with presets
 * and through one in presets-only mode.
 *
 * <p>Without JAZZER_FUZZ the committed corpus in
 * src/test/resources/dev/imgd/core/options/OptionsParserFuzzTestInputs/{parse,parsePath} is
 * replayed; with JAZZER_FUZZ=1 a method is fuzzed (bench/fuzz.sh).
 */
class OptionsParserFuzzTest {
  private static final InstantSource CLOCK =
      InstantSource.fixed(Instant.parse("2030-01-01T00:00:00Z"));
  private static final Map<String, String> PRESETS =
      Map.of(
          "default", "q:85",
          "thumb", "rs:fill:100:100/g:sm",
          "small", "pr:thumb/w:50/f:webp",
          "wide", "s:800:0/el:1/ex:1:so");
  private static final OptionsParser PARSER = parser(PRESETS, false);
  private static final OptionsParser ONLY_PRESETS = parser(PRESETS, true);
  private static final OptionsParser PLAIN = parser(Map.of(), false);

  private static OptionsParser parser(Map<String, String> presets, boolean onlyPresets) {
    return OptionsParser.builder().presets(presets).onlyPresets(onlyPresets).clock(CLOCK).build();
  }

  @FuzzTest(maxDuration = "2m")
  @DictionaryFile(resourcePath = "OptionsParserFuzzTest.dict")
  void parse(byte[] data) {
    String s = new String(data, StandardCharsets.UTF_8);
    for (OptionsParser p : new OptionsParser[] {PARSER, ONLY_PRESETS}) {
      Options o;
      try {
        o = p.parse(s);
      } catch (ImgdException e) {
        assertTyped(e);
        continue;
      }
      assertRoundTrip(o);
    }
  }

  @FuzzTest(maxDuration = "2m")
  @DictionaryFile(resourcePath = "OptionsParserFuzzTest.dict")
  void parsePath(byte[] data) {
    String s = new String(data, StandardCharsets.UTF_8);
    for (OptionsParser p : new OptionsParser[] {PARSER, ONLY_PRESETS}) {
      ParsedPath path;
      try {
        path = p.parsePath(s);
      } catch (ImgdException e) {
        assertTyped(e);
        continue;
      }
      assertThat(path.source()).isNotEmpty();
      path.extension()
          .ifPresent(f -> assertThat(path.options().input().raw() || f.isOutput()).isTrue());
      assertRoundTrip(path.options());
    }
  }

  // Found by fuzzing parsePath: "=" is URL-safe base64 of nothing, and parsed to an empty source
  // URL (the emptiness check ran before decoding). The input is in the parsePath corpus.
  @Test
  void emptySourceFromBase64PaddingIsRefused() {
    for (String path : new String[] {"=", "/==", "/w:10/=.jpg"}) {
      assertThatThrownBy(() -> PARSER.parsePath(path))
          .isInstanceOfSatisfying(
              ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_OPTIONS))
          .hasMessage("Image URL is empty");
    }
  }

  private static void assertTyped(ImgdException e) {
    assertThat(e.code()).isIn(ErrorCode.BAD_OPTIONS, ErrorCode.UNSUPPORTED_FORMAT);
    assertThat(e.getMessage()).isNotBlank();
  }

  /** The canonical form parses (without presets) to options with the same canonical form. */
  private static void assertRoundTrip(Options o) {
    String canonical = o.canonical();
    assertThat(PLAIN.parse(canonical).canonical()).isEqualTo(canonical);
  }
}
