package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.options.OptionsParser;
import dev.imgd.core.probe.Probe;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Chained pipelines (imgproxy Pro's {@code /-/}): each pass runs on the result of the one before;
 * the options of the whole request apply from any pass. Over HTTP in both modes, on geometry.png
 * (200x100).
 */
class ImgproxyChainedPipelinesTest {
  @RegisterExtension static final ImgproxyServers servers = new ImgproxyServers();

  private static final String IMAGE = "geometry.png";

  /** The second crop cuts the result of the first, not the source. */
  @Test
  void eachPassWorksOnTheResultOfTheOneBefore() throws Exception {
    for (ImgdServer s : servers()) {
      String chained = pixels(s, "c:100:100:nowe/-/c:50:50:soea");
      assertThat(chained)
          .isEqualTo(pixels(s, "c:50:50:nowe:50:50"))
          .isNotEqualTo(pixels(s, "c:50:50:soea"));
      assertThat(pixels(s, "rot:90/-/rot:90")).isEqualTo(pixels(s, "rot:180"));
    }
  }

  /** A later pass's geometry starts from the earlier pass's result size. */
  @Test
  void sizesFollowThePasses() throws Exception {
    servers.assertSize("rs:fit:100:100/-/rs:fill:40:40", IMAGE, 40, 40);
    servers.assertSize("w:100/-/el:1/w:150", IMAGE, 150, 75);
    servers.assertSize("w:50/-/w:100", IMAGE, 50, 25); // the second pass does not enlarge
    servers.assertSize("rs:fit:100:100/-/pd:10/-/rot:90", IMAGE, 70, 120);
  }

  /** imgproxy's "fast trim": trim the resized result in a second pass. */
  @Test
  void trimInTheLastPass() throws Exception {
    // trim1.png is 350x250 with a border; trim:220 alone gives 200x100 (ImgproxyTrimTest)
    servers.assertSize("rs:fit:175:125/-/trim:220", "trim1.png", 100, 50);
  }

  /**
   * A trim in an earlier pass is refused: its size is found in the pixels, and every later pass is
   * planned before the run (imgd difference: imgproxy Pro runs it).
   */
  @Test
  void trimInAnEarlierPassIsRefused() throws Exception {
    servers.assertRefused("trim:220/-/w:50", "trim1.png", 400, "bad_options");
  }

  /**
   * The options of the whole request (format, quality, savers, metadata, headers) apply from
   * whichever pass they are written in, the last written winning, as imgproxy's parser applies them
   * to its main options (imgd before took the last pass's alone and ignored an earlier one's).
   */
  @Test
  void optionsOfTheWholeRequestApplyFromAnyPass() throws Exception {
    for (ImgdServer s : servers()) {
      byte[] webpFirst = ImgproxyServers.get(s, "f:webp/-/w:50", IMAGE);
      assertThat(Probe.read(webpFirst).format().extension()).isEqualTo("webp");
      assertThat(Probe.read(webpFirst).width()).isEqualTo(50);
      byte[] webpLast = ImgproxyServers.get(s, "w:50/-/f:webp", IMAGE);
      assertThat(Probe.read(webpLast).format().extension()).isEqualTo("webp");
      byte[] lastWritten = ImgproxyServers.get(s, "f:webp/-/w:50/f:png", IMAGE);
      assertThat(Probe.read(lastWritten).format().extension()).isEqualTo("png");
      // The URL's extension is the result's format over them all, as without a chain.
      byte[] extension = ImgproxyServers.get(s, "f:webp/-/w:50", IMAGE + "@jpg");
      assertThat(Probe.read(extension).format().extension()).isEqualTo("jpg");
      // quality from the first pass: the same bytes as written in the last.
      assertThat(ImgproxyServers.get(s, "q:20/-/w:50/f:jpg", IMAGE))
          .isEqualTo(ImgproxyServers.get(s, "-/w:50/q:20/f:jpg", IMAGE))
          .isNotEqualTo(ImgproxyServers.get(s, "-/w:50/f:jpg", IMAGE));
    }
  }

  /** Every pass is checked against the result limit, not only the last. */
  @Test
  void everyPassIsWithinTheResultLimit() throws Exception {
    servers.assertRefused("w:100/-/el:1/w:100000/-/w:10", IMAGE, 422, "limit_exceeded");
  }

  /** A URL cannot make unbounded work: at most {@link OptionsParser#MAX_PASSES} passes. */
  @Test
  void passesAreBounded() throws Exception {
    String most =
        String.join("/-/", java.util.Collections.nCopies(OptionsParser.MAX_PASSES, "w:50"));
    servers.assertSize(most, IMAGE, 50, 25);
    servers.assertRefused(most + "/-/w:40", IMAGE, 400, "bad_options");
  }

  /**
   * Regression: {@code mw:1/mh:2147483647/rs:fit:1:1} resized to a 2^31 px tall intermediate and
   * answered engine_failed (the planner checked only the final size); every intermediate size is
   * now bounded by the result limit, refused before any pixel is decoded.
   */
  @Test
  void mw1Mh2147483647RsFit11IsRefusedBeforeTheHugeIntermediateResize() throws Exception {
    servers.assertRefused("mw:1/mh:2147483647/rs:fit:1:1", IMAGE, 422, "limit_exceeded");
  }

  /** The PNG made with {@code options}, as a hash (equal images, equal hashes). */
  private static String pixels(ImgdServer s, String options) throws Exception {
    byte[] png = ImgproxyServers.get(s, options + "/f:png", IMAGE);
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(png));
  }

  private static List<ImgdServer> servers() {
    return List.of(
        Objects.requireNonNull(servers.isolated), Objects.requireNonNull(servers.inProcess));
  }
}
