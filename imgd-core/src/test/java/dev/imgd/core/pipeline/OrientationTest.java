package dev.imgd.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.Imgd;
import dev.imgd.testkit.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Landscape_1..8 carry EXIF orientations 1..8 of one picture: all must come out upright. */
@Tag("smoke")
class OrientationTest {
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
  void everyExifOrientationComesOutUpright(int orientation) {
    Imgd imgd = Engines.engine();
    byte[] upright = imgd.process(Fixtures.bytes("Landscape_1.jpg"), "w:150/f:png").bytes();
    Imgd.Result result =
        imgd.process(Fixtures.bytes("Landscape_" + orientation + ".jpg"), "w:150/f:png");
    assertThat(result.width()).isEqualTo(150);
    assertThat(result.height()).isEqualTo(113); // 600x450 landscape once turned
    // Each file carries its own digit, so they differ a little even when upright (about 2-6);
    // a mirror or a turn of the same picture is about 20 away.
    assertThat(Engines.meanDeltaE(result.bytes(), upright)).isLessThan(MAX_DISTANCE);
  }

  private static final double MAX_DISTANCE = 9.0;

  @org.junit.jupiter.api.Test
  void theDistanceTellsAMirrorFromUpright() {
    Imgd imgd = Engines.engine();
    byte[] upright = imgd.process(Fixtures.bytes("Landscape_1.jpg"), "w:150/f:png").bytes();
    byte[] mirrored = imgd.process(Fixtures.bytes("Landscape_1.jpg"), "w:150/fl:1/f:png").bytes();
    assertThat(Engines.meanDeltaE(mirrored, upright)).isGreaterThan(2 * MAX_DISTANCE);
  }

  @ParameterizedTest
  @ValueSource(ints = {5, 6, 7, 8})
  void autoRotateOffKeepsTheStoredFrame(int orientation) {
    Imgd.Result result =
        Engines.engine()
            .process(Fixtures.bytes("Landscape_" + orientation + ".jpg"), "ar:0/w:150/f:png");
    assertThat(result.height()).isEqualTo(200); // stored as 450x600 portrait
  }
}
