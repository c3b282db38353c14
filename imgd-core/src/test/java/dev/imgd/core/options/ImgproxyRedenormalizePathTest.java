package dev.imgd.core.options;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * imgproxy's handlers/path_test.go, TestRedenormalizePathHTTPProtocol and the normalising cases of
 * TestParsePath, case by case. imgproxy's result has no leading '/'; imgd's always has one, as the
 * signature and the parser take it.
 */
class ImgproxyRedenormalizePathTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "HTTP|plain/http:/example.com/image.jpg|plain/http://example.com/image.jpg",
        "HTTPS|plain/https:/example.com/image.jpg|plain/https://example.com/image.jpg",
        "Local|plain/local:/image.jpg|plain/local:///image.jpg",
        "WithOptions|/rs:fill:300:200/plain/http:/example.com/image.jpg|"
            + "rs:fill:300:200/plain/http://example.com/image.jpg",
        "NormalizedPath|/plain/http://example.com/image.jpg|plain/http://example.com/image.jpg",
        "ProtocolMissing|/rs:fill:300:200/plain/example.com/image.jpg|"
            + "rs:fill:300:200/plain/example.com/image.jpg",
        "EmptyString|''|''",
        "SingleSlash|/|''",
        "NoPlainPrefix|/http:/example.com/image.jpg|http:/example.com/image.jpg",
        "NoProtocol|/plain/example.com/image.jpg|plain/example.com/image.jpg",
        "EndsWithProtocol|/plain/http:|plain/http:",
        "OnlyProtocol|/plain/http:/test|plain/http://test",
        "OptionsSeparatorPlain|/rs%3Afill%3A300%3A200/plain/https://example.com/path/to/image.jpg|"
            + "rs:fill:300:200/plain/https://example.com/path/to/image.jpg",
        "OptionsSeparatorBase64|/rs%3Afill%3A300%3A200/abc/abc|rs:fill:300:200/abc/abc",
        "EmptyOptionsSegment|//plain/local:///a.jpg|plain/local:///a.jpg",
        // imgd only: a ':/' inside the source's own path is left alone (imgproxy rewrote it).
        "ColonSlashInSourcePath|/plain/http://h/a:/b.jpg|plain/http://h/a:/b.jpg",
      })
  void redenormalizes(String name, String input, String expected) {
    assertThat(OptionsParser.normalizePath(input)).isEqualTo("/" + expected);
  }
}
