package dev.imgd.core.options;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The option table: every entry round-trips through the canonical form, and the docs match it. */
class OptionTableTest {
  static final Path DOC = Path.of("..", "docs", "options.md");
  // "thumb" is the preset option's documented example.
  static final OptionsParser PARSER =
      OptionsParser.builder()
          .presets(Map.of("thumb", "rs:fill:100:100"))
          .securityOptions(true) // the security options round-trip too
          .clock(InstantSource.fixed(Instant.parse("2030-01-01T00:00:00Z")))
          .build();

  static List<OptionTable.Option> options() {
    return OptionTable.options();
  }

  /** parse(canonical(x)) == x for each option's example, under each of its names. */
  @ParameterizedTest
  @MethodSource("options")
  void exampleRoundTripsThroughTheCanonicalForm(OptionTable.Option option) {
    if (option.example().isEmpty()) {
      assertThatThrownBy(() -> PARSER.parse(option.name() + ":1"))
          .isInstanceOfSatisfying(
              ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_OPTIONS));
      return;
    }
    Options x = PARSER.parse(option.name() + ":" + option.example());
    assertThat(x).isNotEqualTo(Options.DEFAULTS);
    for (String name : option.names()) {
      assertThat(PARSER.parse(name + ":" + option.example())).as(name).isEqualTo(x);
    }
    Options back = PARSER.parse(x.canonical());
    if (option.canonical() != null || option.name().equals("preset") || isShorthand(option)) {
      assertThat(back).isEqualTo(x);
    } else {
      // header-only: left out of the cache key
      assertThat(x.canonical()).isEqualTo(Options.DEFAULTS.canonical());
    }
  }

  private static boolean isShorthand(OptionTable.Option option) {
    return List.of("resize", "size", "adjust").contains(option.name());
  }

  @Test
  void canonicalFormUsesEachOptionsShortestName() {
    assertThat(Options.DEFAULTS.canonical().split("/"))
        .allSatisfy(segment -> {
          String name = segment.substring(0, segment.indexOf(':'));
          assertThat(OptionTable.find(name).shortName()).isEqualTo(name);
        });
  }

  /** imgproxy's open-source parser's options (options/parser/processing_options.go). */
  static final List<String> IMGPROXY_OPEN_SOURCE =
      List.of(
          "resize",
          "size",
          "resizing_type",
          "width",
          "height",
          "min-width",
          "min-height",
          "zoom",
          "dpr",
          "enlarge",
          "extend",
          "extend_aspect_ratio",
          "gravity",
          "crop",
          "trim",
          "padding",
          "auto_rotate",
          "rotate",
          "flip",
          "background",
          "blur",
          "sharpen",
          "pixelate",
          "watermark",
          "strip_metadata",
          "keep_copyright",
          "strip_color_profile",
          "preserve_hdr",
          "enforce_thumbnail",
          "quality",
          "format_quality",
          "max_bytes",
          "format",
          "skip_processing",
          "raw",
          "cachebuster",
          "expires",
          "filename",
          "return_attachment",
          "preset",
          "max_src_resolution",
          "max_src_file_size",
          "max_animation_frames",
          "max_animation_frame_resolution",
          "max_result_dimension");

  @Test
  void everyOptionNotMarkedProIsInImgproxysOpenSourceParser() {
    assertThat(options().stream().map(OptionTable.Option::name))
        .filteredOn(name -> !OptionTable.PRO.contains(name))
        .containsExactlyInAnyOrderElementsOf(IMGPROXY_OPEN_SOURCE);
    assertThat(OptionTable.PRO).allSatisfy(name -> assertThat(OptionTable.find(name)).isNotNull());
  }

  @Test
  void docsListEveryNameTheParserAccepts() throws IOException {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    assertThat(OptionsParser.optionNames())
        .allSatisfy(name -> assertThat(doc).contains("`" + name + "`"));
  }

  @Test
  void docsMatchTheTable() throws IOException {
    String rendered = OptionTable.markdown();
    if (Boolean.getBoolean("imgd.writeDocs")) {
      Files.writeString(DOC, rendered, StandardCharsets.UTF_8);
    }
    assertThat(Files.readString(DOC, StandardCharsets.UTF_8))
        .as("docs/options.md is generated: run OptionTableTest with -Dimgd.writeDocs=true")
        .isEqualTo(rendered);
  }
}
