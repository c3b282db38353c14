package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * imgproxy's processing/rotate_and_flip_test.go over HTTP in both modes: orientation-0..7.png hold
 * the same pixels under different EXIF orientations. Without auto-rotation every image gives the
 * same result for each rotate/flip; with it, each differs from the first; and within an image every
 * one of the 32 rotate/flip combinations differs from the one before. imgproxy compares its results
 * with stored image hashes; the port compares imgd's results with each other, as the test's own
 * assertions do.
 */
class ImgproxyRotateAndFlipTest {
  @RegisterExtension static final ImgproxyServers servers = new ImgproxyServers();

  private static final int IMAGES = 8;

  @Test
  void orientationAutoRotate() throws Exception {
    for (ImgdServer s : servers()) {
      List<String> still = new ArrayList<>();
      List<String> turned = new ArrayList<>();
      for (int i = 0; i < IMAGES; i++) {
        still.add(hash(s, i, options(0, false, false, false)));
        turned.add(hash(s, i, options(0, false, false, true)));
      }
      assertThat(still).as("auto_rotate:0: every image the same").containsOnly(still.getFirst());
      for (int i = 1; i < IMAGES; i++) {
        assertThat(turned.get(i)).as("auto-rotated image %d", i).isNotEqualTo(turned.get(i - 1));
      }
    }
  }

  @Test
  void rotateFlip() throws Exception {
    for (ImgdServer s : servers()) {
      List<List<String>> hashes = new ArrayList<>();
      for (int i = 0; i < IMAGES; i++) {
        hashes.add(rotationsAndFlips(s, i, false));
      }
      for (int n = 1; n < IMAGES; n++) {
        assertThat(hashes.get(n)).as("image %d", n).isEqualTo(hashes.getFirst());
      }
      hashes.forEach(ImgproxyRotateAndFlipTest::assertEachDiffersFromTheOneBefore);
    }
  }

  @Test
  void rotateFlipAutoRotate() throws Exception {
    for (ImgdServer s : servers()) {
      List<List<String>> hashes = new ArrayList<>();
      for (int i = 0; i < IMAGES; i++) {
        hashes.add(rotationsAndFlips(s, i, true));
      }
      for (int n = 1; n < IMAGES; n++) {
        for (int i = 0; i < hashes.getFirst().size(); i++) {
          assertThat(hashes.get(n).get(i))
              .as("image %d, case %d", n, i)
              .isNotEqualTo(hashes.getFirst().get(i));
        }
      }
      hashes.forEach(ImgproxyRotateAndFlipTest::assertEachDiffersFromTheOneBefore);
    }
  }

  private static List<String> rotationsAndFlips(ImgdServer s, int image, boolean autoRotate)
      throws Exception {
    List<String> hashes = new ArrayList<>();
    for (int rotate : new int[] {0, 90, 180, 270}) {
      for (boolean flipH : new boolean[] {false, true}) {
        for (boolean flipV : new boolean[] {false, true}) {
          hashes.add(hash(s, image, options(rotate, flipH, flipV, autoRotate)));
        }
      }
    }
    return hashes;
  }

  private static void assertEachDiffersFromTheOneBefore(List<String> hashes) {
    for (int i = 1; i < hashes.size(); i++) {
      assertThat(hashes.get(i)).as("case %d", i).isNotEqualTo(hashes.get(i - 1));
    }
  }

  /**
   * The options as imgproxy's test writes them (rotate, flip, auto_rotate only when not default).
   */
  private static String options(int rotate, boolean flipH, boolean flipV, boolean autoRotate) {
    List<String> o = new ArrayList<>();
    if (rotate != 0) {
      o.add("rotate:" + rotate);
    }
    if (flipH || flipV) {
      o.add("flip:" + (flipH ? 1 : 0) + ":" + (flipV ? 1 : 0));
    }
    o.add("auto_rotate:" + (autoRotate ? 1 : 0));
    return String.join("/", o);
  }

  private static String hash(ImgdServer s, int image, String options) throws Exception {
    byte[] png = ImgproxyServers.get(s, options, "orientation-" + image + ".png");
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(png));
  }

  private static List<ImgdServer> servers() {
    return List.of(
        Objects.requireNonNull(servers.isolated), Objects.requireNonNull(servers.inProcess));
  }
}
