package dev.imgd.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests find their images inside the checkout, from whichever module folder they run in. */
class FixturesTest {
  @TempDir Path dir;

  @Test
  void findsTheFolderFromAnyDepthBelowTheRoot() throws Exception {
    Path images = Files.createDirectories(dir.resolve(Fixtures.FOLDER));
    Files.writeString(images.resolve("SOURCES.md"), "licences");
    Path deep = Files.createDirectories(dir.resolve("imgd-core/src/test"));
    assertThat(Fixtures.find(deep)).isEqualTo(images);
    assertThat(Fixtures.find(dir)).isEqualTo(images);
  }

  @Test
  void aFolderWithoutItsSourcesIsNotTheFixtures() throws Exception {
    Files.createDirectories(dir.resolve(Fixtures.FOLDER));
    Path module = Files.createDirectories(dir.resolve("module"));
    // A checkout without the marker must fail loudly, never read a stray folder elsewhere.
    assertThatThrownBy(() -> Fixtures.find(module))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("test-images/SOURCES.md");
  }

  @Test
  void theCheckoutHoldsTheImagesWithTheirSources() {
    assertThat(Fixtures.images().resolve("SOURCES.md")).isRegularFile();
    assertThat(Fixtures.bytes("Landscape_1.jpg")).startsWith((byte) 0xFF, (byte) 0xD8);
    assertThatThrownBy(() -> Fixtures.image("nope.jpg"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no test image nope.jpg");
  }
}
