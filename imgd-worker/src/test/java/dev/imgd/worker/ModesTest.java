package dev.imgd.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.Imgd;
import dev.imgd.testkit.Fixtures;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The two modes give the same bytes: isolation changes where the pipeline runs, not what it does.
 */
class ModesTest {
  @ParameterizedTest
  @CsvSource({
    "2569067123_aca715a2ee_o.jpg, rs:fit:720:0/q:80",
    "alpha-premultiply-2048x1536-paper.png, rs:fit:720:0/f:webp",
    "animated-loop-3.gif, rs:fill:100:100",
    "Landscape_6.jpg, rs:fill:200:200/g:sm/f:avif",
    "with-alpha.png, rs:fit:300:300/bg:ffffff/f:jpg"
  })
  void isolatedAndInProcessGiveTheSameBytes(String image, String options) {
    byte[] source = Fixtures.bytes(image);
    try (Imgd inProcess = Imgd.builder().threads(1).build();
        Imgd isolated =
            Imgd.builder()
                .engine(
                    IsolatedEngine.start(
                        IsolatedEngine.Settings.defaults(List.of(TestImages.library()), 1)))
                .build()) {
      assertThat(isolated.process(source, options).bytes())
          .isEqualTo(inProcess.process(source, options).bytes());
    }
  }
}
