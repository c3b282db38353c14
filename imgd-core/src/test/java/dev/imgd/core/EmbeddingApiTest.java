package dev.imgd.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.core.options.Options;
import dev.imgd.testkit.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The embedding API: same probe, limits, pipeline and typed errors as the server. */
@Tag("smoke")
class EmbeddingApiTest {
  private static Imgd imgd;

  @BeforeAll
  static void start() {
    imgd =
        Imgd.builder()
            .threads(2)
            .maxSourceBytes(300_000)
            .presets(Map.of("thumb", "rs:fill:64:64/q:70"))
            .build();
  }

  @AfterAll
  static void stop() {
    imgd.close();
  }

  @Test
  void bytesInVerifiedBytesOut() {
    Imgd.Result r =
        imgd.process(Fixtures.bytes("Landscape_1.jpg"), Options.builder().width(200).build());
    assertThat(r.format()).isEqualTo(ImageFormat.JPEG);
    assertThat(r.mimeType()).isEqualTo("image/jpeg");
    assertThat(r.width()).isEqualTo(200);
    assertThat(r.height()).isEqualTo(150);
    assertThat(r.bytes()).startsWith((byte) 0xff, (byte) 0xd8);
  }

  @Test
  void imgproxyOptionsAndPresets() {
    Imgd.Result r = imgd.process(Fixtures.bytes("4.webp"), "pr:thumb/f:png");
    assertThat(r.width()).isEqualTo(64);
    assertThat(r.height()).isEqualTo(64);
    assertThat(r.format()).isEqualTo(ImageFormat.PNG);
  }

  @Test
  void aStreamIsReadOnlyUpToTheCap_FM02() {
    byte[] big = Fixtures.bytes("2569067123_aca715a2ee_o.jpg"); // 829 KB, cap 300 KB
    int[] read = {0};
    InputStream counting =
        new ByteArrayInputStream(big) {
          @Override
          public synchronized int read(byte[] b, int off, int len) {
            int n = super.read(b, off, len);
            read[0] += Math.max(0, n);
            return n;
          }
        };
    assertThatThrownBy(() -> imgd.process(counting, Options.DEFAULTS))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
    assertThat(read[0]).isLessThanOrEqualTo(300_001);
    assertThatThrownBy(() -> imgd.process(big, Options.DEFAULTS))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.httpStatus()).isEqualTo(413));
  }

  @Test
  void typedErrorsForBadInput_FM12() { // FM-12: every failure is typed, with a status
    assertThatThrownBy(() -> imgd.process(new byte[0], Options.DEFAULTS))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT_IMAGE));
    assertThatThrownBy(() -> imgd.process("GIF89a<html>".getBytes(), Options.DEFAULTS))
        .isInstanceOf(ImgdException.class);
    assertThatThrownBy(() -> imgd.process(Fixtures.bytes("Landscape_1.jpg"), "nope:1"))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.httpStatus()).isEqualTo(400));
    assertThatThrownBy(() -> imgd.process(Fixtures.bytes("truncated.jpg"), "w:100"))
        .isInstanceOfSatisfying(
            ImgdException.class,
            e -> {
              assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.CORRUPT_IMAGE); // FM-11
              assertThat(e.getMessage()).contains("truncated");
            });
    assertThatThrownBy(() -> imgd.process(Fixtures.bytes("Landscape_1.jpg"), "wm:0.5"))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_OPTIONS));
  }

  @Test
  void lenientModeAcceptsATruncatedJpeg() {
    try (Imgd lenient = Imgd.builder().threads(1).lenient(true).build()) {
      Imgd.Result r = lenient.process(Fixtures.bytes("truncated.jpg"), "w:100");
      assertThat(r.width()).isEqualTo(100);
    }
  }

  @Test
  void worksFromVirtualThreads() throws Exception {
    Thread t =
        Thread.ofVirtual().start(() -> imgd.process(Fixtures.bytes("Landscape_2.jpg"), "w:50"));
    t.join();
  }
}
