package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.server.ScriptedOrigin.Reply;
import dev.imgd.testkit.Fixtures;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * imgproxy's httpheaders/cdv_test.go over real HTTP: the source URL's name, {@code fn} and {@code
 * att} give Content-Disposition, with the extension of the format really sent (imgproxy always
 * passes the result's extension, so its cases without one do not occur over HTTP).
 */
class ImgproxyContentDispositionTest {
  static ScriptedOrigin origin;
  static ImgdServer imgd;

  @BeforeAll
  static void start() throws Exception {
    origin = new ScriptedOrigin();
    byte[] jpeg = Fixtures.bytes("Landscape_1.jpg");
    origin.script = r -> Reply.ok(jpeg);
    imgd = origin.imgd(Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    imgd.close();
    origin.close();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '\'',
      value = {
        "BasicURL                            | /test.jpg        | ''                  | jpg | inline; filename=\"test.jpg\"",
        "EmptyFilenameWithExt                | /path/to/        | ''                  | png | inline; filename=\"image.png\"",
        "EmptyFilenameWithFilenameAndExt     | /path/to/        | fn:example          | png | inline; filename=\"example.png\"",
        "EmptyFilenameWithFilenameOverride   | /path/to/        | fn:example          | jpg | inline; filename=\"example.jpg\"",
        "PresentFilenameWithExtOverride      | /path/to/face.png | ''                 | jpg | inline; filename=\"face.jpg\"",
        "PresentFilenameWithFilenameOverride | /path/to/123.png | fn:face             | jpg | inline; filename=\"face.jpg\"",
        "AttachmentDisposition               | /test.jpg        | att:1               | jpg | attachment; filename=\"test.jpg\"",
        "FilenameWithQuotes                  | /test.jpg        | fn:my%22file        | png | inline; filename=\"my%22file.png\"",
        "FilenameWithContentType             | /test            | fn:my%22file        | png | inline; filename=\"my%22file.png\"",
        // imgd's own: a base64 name; a line break cannot split the header (imgproxy's Go server
        // would refuse to write it), nor non-ASCII be read in another charset (imgproxy: raw
        // UTF-8).
        "Base64Filename                      | /test.jpg        | fn:ZmFjZQ:1         | webp | inline; filename=\"face.webp\"",
        "LineBreakInFilename                 | /test.jpg        | fn:a%0D%0AX-Evil    | jpg | inline; filename=\"a%0D%0AX-Evil.jpg\"",
        "NonAsciiFilename                    | /test.jpg        | fn:%C3%A9t%C3%A9    | jpg | inline; filename=\"%C3%A9t%C3%A9.jpg\"",
      })
  void contentDisposition(String name, String source, String option, String ext, String expected)
      throws Exception {
    String options = "rs:fit:20:0" + (option.isEmpty() ? "" : "/" + option);
    HttpResponse<byte[]> r =
        origin.get(imgd, "/" + options + "/plain/" + origin.url(source) + "@" + ext);
    assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Disposition")).hasValue(expected);
  }

  @ParameterizedTest
  @CsvSource({"fn:face, att:1"})
  void theSameResultServesEveryNameFromTheCache(String fn, String att) throws Exception {
    // fn and att only shape the header: one cached result, each answer with its own name.
    String src = origin.url("/cached.jpg");
    int before = origin.requests.size();
    HttpResponse<byte[]> a = origin.get(imgd, "/rs:fit:21:0/" + fn + "/plain/" + src + "@png");
    HttpResponse<byte[]> b = origin.get(imgd, "/rs:fit:21:0/" + att + "/plain/" + src + "@png");
    assertThat(origin.requests).hasSize(before + 1);
    assertThat(a.headers().firstValue("Content-Disposition"))
        .hasValue("inline; filename=\"face.png\"");
    assertThat(b.headers().firstValue("Content-Disposition"))
        .hasValue("attachment; filename=\"cached.png\"");
    assertThat(Base64.getEncoder().encodeToString(a.body()))
        .isEqualTo(Base64.getEncoder().encodeToString(b.body()));
  }
}
