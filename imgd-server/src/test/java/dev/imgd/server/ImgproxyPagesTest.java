package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.probe.Probe;
import dev.imgd.core.probe.ProbeResult;
import dev.imgd.testkit.Fixtures;
import java.nio.file.Files;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * pages (pgs) and enforce_thumbnail (eth) as imgproxy documents them, over HTTP in both modes:
 * pages stacks that many pages or frames vertically into one image, from page on, as many as there
 * are; rotating-squares.webp is an 80x80 animation of 9 frames.
 */
class ImgproxyPagesTest {
  @RegisterExtension static final ImgproxyServers servers = new ImgproxyServers();

  private static final String ANIMATION = "rotating-squares.webp";
  private static final String AVIF = "sdr_cosmos12920_cicp1-13-6_yuv444_full_qp10.avif";
  private static final String THUMBNAIL = "landscape-1-thumbnail.avif";

  @Test
  void pagesStacksFramesVertically() throws Exception {
    servers.assertSize("pgs:3/f:png", ANIMATION, 80, 240);
    servers.assertSize("pgs:1/f:png", ANIMATION, 80, 80);
    servers.assertSize("pg:7/pgs:5/f:png", ANIMATION, 80, 160); // only frames 7 and 8 are there
    servers.assertSize("pgs:3/rs:fit:40:0", ANIMATION, 40, 120);
  }

  /** The stacked pages are one still image, even in a format that could animate. */
  @Test
  void stackedPagesAreOneImage() throws Exception {
    for (ImgdServer s : servers()) {
      ProbeResult stacked = Probe.read(ImgproxyServers.get(s, "pgs:2/f:webp", ANIMATION));
      assertThat(stacked.animated()).isFalse();
      assertThat(stacked.height()).isEqualTo(160);
      assertThat(Probe.read(ImgproxyServers.get(s, "f:webp", ANIMATION)).animated()).isTrue();
    }
  }

  /**
   * Differs from imgproxy: the pages of a TIFF, HEIF or PDF are counted only by the decoder, and
   * the plan bounds the stacked size before decoding, so imgd refuses to stack them (415).
   */
  @Test
  void pagesOfAFormatWhosePagesAreNotCountedAreRefused() throws Exception {
    servers.assertRefused("pgs:2", AVIF, 415, "unsupported_format");
  }

  /**
   * enforce_thumbnail loads the thumbnail embedded in an AVIF (here 64x48, for a 300x225 image):
   * the result is made from its pixels, and the options size it as the source. Without eth, or
   * without a thumbnail, the image itself; other formats carry none and are left alone, as in
   * imgproxy.
   */
  @Test
  void enforceThumbnailLoadsTheEmbeddedThumbnail() throws Exception {
    Files.write(servers.root().resolve("thumbnail.avif"), Fixtures.bytes(THUMBNAIL));
    servers.assertSize("eth:1/f:png", "thumbnail.avif", 64, 48);
    servers.assertSize("eth:1/rs:fit:32:32/f:png", "thumbnail.avif", 32, 24);
    servers.assertSize("eth:0/f:png", "thumbnail.avif", 300, 225);
    servers.assertSize("f:png", "thumbnail.avif", 300, 225);
    // A fit to 64x64 of the image and the thumbnail itself: the same size, other pixels.
    for (ImgdServer s : servers()) {
      assertThat(ImgproxyServers.get(s, "eth:1/rs:fit:64:64/f:png", "thumbnail.avif"))
          .isNotEqualTo(ImgproxyServers.get(s, "rs:fit:64:64/f:png", "thumbnail.avif"));
    }
    // An AVIF without a thumbnail: the image itself, as imgproxy falls back to it.
    Files.write(
        servers.root().resolve("plain.avif"),
        ImgproxyServers.get(servers.both().getLast(), "f:avif", "geometry.png"));
    servers.assertSize("eth:1/f:png", "plain.avif", 200, 100);
    servers.assertSize("eth:1/w:50", "geometry.png", 50, 25);
  }

  private static List<ImgdServer> servers() {
    return List.of(
        Objects.requireNonNull(servers.isolated), Objects.requireNonNull(servers.inProcess));
  }
}
