package dev.imgd.core.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.options.CropRect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OrientationTransformTest {
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
  void inverseUndoesEveryExifTransform(int exif) {
    Orientation t = Orientation.ofExif(exif).thenRotate(90).thenMirror();
    CropRect r = new CropRect(3, 5, 7, 2, false);
    int w = 20;
    int h = 12;
    CropRect there = t.apply(r, w, h);
    int tw = t.swapsAxes() ? h : w;
    int th = t.swapsAxes() ? w : h;
    assertThat(t.inverse().apply(there, tw, th)).isEqualTo(r);
  }

  @Test
  void exifSixIsAQuarterTurnClockwise() {
    // The top-left pixel of the stored image ends at the top-right once turned.
    CropRect corner = Orientation.ofExif(6).apply(new CropRect(0, 0, 1, 1, false), 4, 3);
    assertThat(corner).isEqualTo(new CropRect(2, 0, 1, 1, false));
  }

  @Test
  void verticalFlipIsAHalfTurnAndAMirror() {
    CropRect top = Orientation.NONE.thenFlipVertical().apply(new CropRect(0, 0, 4, 1, false), 4, 3);
    assertThat(top).isEqualTo(new CropRect(0, 2, 4, 1, false));
  }
}
