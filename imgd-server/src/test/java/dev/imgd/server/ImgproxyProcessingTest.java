package dev.imgd.server;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * imgproxy's processing/processing_test.go, case by case, over HTTP in both modes, on geometry.png
 * (200x100): each case's options as imgproxy's test builds them, and the size imgproxy expects.
 */
class ImgproxyProcessingTest {
  @RegisterExtension static final ImgproxyServers servers = new ImgproxyServers();

  static Stream<Arguments> sizes() {
    return Stream.of(
        // TestResizeToFit
        Arguments.of("rs:fit:50:50", 50, 25),
        Arguments.of("rs:fit:50:20", 40, 20),
        Arguments.of("rs:fit:20:50", 20, 10),
        Arguments.of("rs:fit:300:300", 200, 100),
        Arguments.of("rs:fit:300:50", 100, 50),
        Arguments.of("rs:fit:100:300", 100, 50),
        Arguments.of("rs:fit:0:50", 100, 50),
        Arguments.of("rs:fit:50:0", 50, 25),
        Arguments.of("rs:fit:0:200", 200, 100),
        Arguments.of("rs:fit:300:0", 200, 100),
        // TestResizeToFitEnlarge
        Arguments.of("rs:fit:50:50/el:1", 50, 25),
        Arguments.of("rs:fit:50:20/el:1", 40, 20),
        Arguments.of("rs:fit:20:50/el:1", 20, 10),
        Arguments.of("rs:fit:300:300/el:1", 300, 150),
        Arguments.of("rs:fit:300:125/el:1", 250, 125),
        Arguments.of("rs:fit:250:300/el:1", 250, 125),
        Arguments.of("rs:fit:0:50/el:1", 100, 50),
        Arguments.of("rs:fit:50:0/el:1", 50, 25),
        Arguments.of("rs:fit:0:200/el:1", 400, 200),
        Arguments.of("rs:fit:300:0/el:1", 300, 150),
        // TestResizeToFitExtend
        Arguments.of("rs:fit:50:50/ex:1", 50, 50),
        Arguments.of("rs:fit:50:20/ex:1", 50, 20),
        Arguments.of("rs:fit:20:50/ex:1", 20, 50),
        Arguments.of("rs:fit:300:300/ex:1", 300, 300),
        Arguments.of("rs:fit:300:125/ex:1", 300, 125),
        Arguments.of("rs:fit:250:300/ex:1", 250, 300),
        Arguments.of("rs:fit:0:50/ex:1", 100, 50),
        Arguments.of("rs:fit:50:0/ex:1", 50, 25),
        Arguments.of("rs:fit:0:200/ex:1", 200, 200),
        Arguments.of("rs:fit:300:0/ex:1", 300, 100),
        // TestResizeToFitExtendAR
        Arguments.of("rs:fit:50:50/exar:1", 50, 50),
        Arguments.of("rs:fit:50:20/exar:1", 50, 20),
        Arguments.of("rs:fit:20:50/exar:1", 20, 50),
        Arguments.of("rs:fit:300:300/exar:1", 200, 200),
        Arguments.of("rs:fit:300:125/exar:1", 240, 100),
        Arguments.of("rs:fit:250:500/exar:1", 200, 400),
        Arguments.of("rs:fit:0:50/exar:1", 100, 50),
        Arguments.of("rs:fit:50:0/exar:1", 50, 25),
        Arguments.of("rs:fit:0:200/exar:1", 200, 100),
        Arguments.of("rs:fit:300:0/exar:1", 200, 100),
        // TestResizeToFill
        Arguments.of("rs:fill:50:50", 50, 50),
        Arguments.of("rs:fill:50:20", 50, 20),
        Arguments.of("rs:fill:20:50", 20, 50),
        Arguments.of("rs:fill:300:300", 200, 100),
        Arguments.of("rs:fill:300:50", 200, 50),
        Arguments.of("rs:fill:100:300", 100, 100),
        Arguments.of("rs:fill:0:50", 100, 50),
        Arguments.of("rs:fill:50:0", 50, 25),
        Arguments.of("rs:fill:0:200", 200, 100),
        Arguments.of("rs:fill:300:0", 200, 100),
        // TestResizeToFillEnlarge
        Arguments.of("rs:fill:50:50/el:1", 50, 50),
        Arguments.of("rs:fill:50:20/el:1", 50, 20),
        Arguments.of("rs:fill:20:50/el:1", 20, 50),
        Arguments.of("rs:fill:300:300/el:1", 300, 300),
        Arguments.of("rs:fill:300:125/el:1", 300, 125),
        Arguments.of("rs:fill:250:300/el:1", 250, 300),
        Arguments.of("rs:fill:0:50/el:1", 100, 50),
        Arguments.of("rs:fill:50:0/el:1", 50, 25),
        Arguments.of("rs:fill:0:200/el:1", 400, 200),
        Arguments.of("rs:fill:300:0/el:1", 300, 150),
        // TestResizeToFillExtend
        Arguments.of("rs:fill:50:50/ex:1", 50, 50),
        Arguments.of("rs:fill:50:20/ex:1", 50, 20),
        Arguments.of("rs:fill:20:50/ex:1", 20, 50),
        Arguments.of("rs:fill:300:300/ex:1", 300, 300),
        Arguments.of("rs:fill:300:125/ex:1", 300, 125),
        Arguments.of("rs:fill:250:300/ex:1", 250, 300),
        Arguments.of("rs:fill:300:50/ex:1", 300, 50),
        Arguments.of("rs:fill:100:300/ex:1", 100, 300),
        Arguments.of("rs:fill:0:50/ex:1", 100, 50),
        Arguments.of("rs:fill:50:0/ex:1", 50, 25),
        Arguments.of("rs:fill:0:200/ex:1", 200, 200),
        Arguments.of("rs:fill:300:0/ex:1", 300, 100),
        // TestResizeToFillExtendAR
        Arguments.of("rs:fill:50:50/exar:1", 50, 50),
        Arguments.of("rs:fill:50:20/exar:1", 50, 20),
        Arguments.of("rs:fill:20:50/exar:1", 20, 50),
        Arguments.of("rs:fill:300:300/exar:1", 200, 200),
        Arguments.of("rs:fill:300:125/exar:1", 240, 100),
        Arguments.of("rs:fill:250:500/exar:1", 200, 400),
        Arguments.of("rs:fill:300:50/exar:1", 300, 50),
        Arguments.of("rs:fill:100:300/exar:1", 100, 300),
        Arguments.of("rs:fill:0:50/exar:1", 100, 50),
        Arguments.of("rs:fill:50:0/exar:1", 50, 25),
        Arguments.of("rs:fill:0:200/exar:1", 200, 100),
        Arguments.of("rs:fill:300:0/exar:1", 200, 100),
        // TestResizeToFillDown
        Arguments.of("rs:fill-down:50:50", 50, 50),
        Arguments.of("rs:fill-down:50:20", 50, 20),
        Arguments.of("rs:fill-down:20:50", 20, 50),
        Arguments.of("rs:fill-down:300:300", 100, 100),
        Arguments.of("rs:fill-down:300:125", 200, 83),
        Arguments.of("rs:fill-down:250:300", 83, 100),
        Arguments.of("rs:fill-down:0:50", 100, 50),
        Arguments.of("rs:fill-down:50:0", 50, 25),
        Arguments.of("rs:fill-down:0:200", 200, 100),
        Arguments.of("rs:fill-down:300:0", 200, 100),
        // TestResizeToFillDownEnlarge
        Arguments.of("rs:fill-down:50:50/el:1", 50, 50),
        Arguments.of("rs:fill-down:50:20/el:1", 50, 20),
        Arguments.of("rs:fill-down:20:50/el:1", 20, 50),
        Arguments.of("rs:fill-down:300:300/el:1", 300, 300),
        Arguments.of("rs:fill-down:300:125/el:1", 300, 125),
        Arguments.of("rs:fill-down:250:300/el:1", 250, 300),
        Arguments.of("rs:fill-down:0:50/el:1", 100, 50),
        Arguments.of("rs:fill-down:50:0/el:1", 50, 25),
        Arguments.of("rs:fill-down:0:200/el:1", 400, 200),
        Arguments.of("rs:fill-down:300:0/el:1", 300, 150),
        // TestResizeToFillDownExtend
        Arguments.of("rs:fill-down:50:50/ex:1", 50, 50),
        Arguments.of("rs:fill-down:50:20/ex:1", 50, 20),
        Arguments.of("rs:fill-down:20:50/ex:1", 20, 50),
        Arguments.of("rs:fill-down:300:300/ex:1", 300, 300),
        Arguments.of("rs:fill-down:300:125/ex:1", 300, 125),
        Arguments.of("rs:fill-down:250:300/ex:1", 250, 300),
        Arguments.of("rs:fill-down:300:50/ex:1", 300, 50),
        Arguments.of("rs:fill-down:100:300/ex:1", 100, 300),
        Arguments.of("rs:fill-down:0:50/ex:1", 100, 50),
        Arguments.of("rs:fill-down:50:0/ex:1", 50, 25),
        Arguments.of("rs:fill-down:0:200/ex:1", 200, 200),
        Arguments.of("rs:fill-down:300:0/ex:1", 300, 100),
        // TestResizeToFillDownExtendAR
        Arguments.of("rs:fill-down:50:50/exar:1", 50, 50),
        Arguments.of("rs:fill-down:50:20/exar:1", 50, 20),
        Arguments.of("rs:fill-down:20:50/exar:1", 20, 50),
        Arguments.of("rs:fill-down:300:300/exar:1", 100, 100),
        Arguments.of("rs:fill-down:300:125/exar:1", 200, 83),
        Arguments.of("rs:fill-down:250:300/exar:1", 83, 100),
        Arguments.of("rs:fill-down:0:50/exar:1", 100, 50),
        Arguments.of("rs:fill-down:50:0/exar:1", 50, 25),
        Arguments.of("rs:fill-down:0:200/exar:1", 200, 100),
        Arguments.of("rs:fill-down:300:0/exar:1", 200, 100));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sizes")
  void size(String options, int width, int height) throws Exception {
    servers.assertSize(options, "geometry.png", width, height);
  }

  /**
   * TestResultSizeLimit (the expected sizes are imgproxy's). Differs on purpose: imgproxy's suite
   * runs with IMGPROXY_ALLOW_SECURITY_OPTIONS, and without it imgproxy refuses max_result_dimension
   * as imgd does here: imgd's limits are the server's (IMGD_MAX_RESULT_DIMENSION), not the URL's.
   */
  static Stream<Arguments> resultSizeLimits() {
    return Stream.of(
        Arguments.of("mrd:1000/rs:fit:100:100", 100, 50),
        Arguments.of("mrd:50/rs:fit:100:100", 50, 25),
        Arguments.of("mrd:50/rs:fit:0:0", 50, 25),
        Arguments.of("mrd:100/rs:fit:0:100", 100, 50),
        Arguments.of("mrd:50/rs:fit:150:0", 50, 25),
        Arguments.of("mrd:100/rs:fit:1000:1000", 100, 50),
        Arguments.of("mrd:100/rs:fit:1000:1000/el:1", 100, 50),
        Arguments.of("mrd:100/rs:fit:1000:2000/ex:1", 50, 100),
        Arguments.of("mrd:100/rs:fit:1000:2000/exar:1", 50, 100),
        Arguments.of("mrd:100/rs:fit:100:150/rot:90", 50, 100),
        Arguments.of("mrd:100/rs:fit:0:0/rot:90", 50, 100),
        Arguments.of("mrd:200/rs:fit:100:100/pd:100:200:300:400", 200, 129),
        Arguments.of("mrd:1000/rs:fill:100:100", 100, 100),
        Arguments.of("mrd:50/rs:fill:100:100", 50, 50),
        Arguments.of("mrd:50/rs:fill:1000:50", 50, 13),
        Arguments.of("mrd:50/rs:fill:100:1000", 50, 50),
        Arguments.of("mrd:50/rs:fill:0:0", 50, 25),
        Arguments.of("mrd:100/rs:fill:0:100", 100, 50),
        Arguments.of("mrd:50/rs:fill:150:0", 50, 25),
        Arguments.of("mrd:100/rs:fill:1000:1000", 100, 50),
        Arguments.of("mrd:100/rs:fill:1000:1000/el:1", 100, 100),
        Arguments.of("mrd:100/rs:fill:1000:2000/ex:1", 50, 100),
        Arguments.of("mrd:100/rs:fill:1000:2000/exar:1", 50, 100),
        Arguments.of("mrd:100/rs:fill:100:150/rot:90", 67, 100),
        Arguments.of("mrd:100/rs:fill:0:0/rot:90", 50, 100),
        Arguments.of("mrd:200/rs:fill:100:100/pd:100:200:300:400", 200, 144),
        Arguments.of("mrd:1000/rs:fill-down:100:100", 100, 100),
        Arguments.of("mrd:50/rs:fill-down:100:100", 50, 50),
        Arguments.of("mrd:50/rs:fill-down:1000:50", 50, 3),
        Arguments.of("mrd:50/rs:fill-down:100:1000", 5, 50),
        Arguments.of("mrd:50/rs:fill-down:0:0", 50, 25),
        Arguments.of("mrd:100/rs:fill-down:0:100", 100, 50),
        Arguments.of("mrd:50/rs:fill-down:150:0", 50, 25),
        Arguments.of("mrd:100/rs:fill-down:1000:1000", 100, 100),
        Arguments.of("mrd:100/rs:fill-down:1000:1000/el:1", 100, 100),
        Arguments.of("mrd:100/rs:fill-down:1000:2000/ex:1", 50, 100),
        Arguments.of("mrd:100/rs:fill-down:1000:2000/exar:1", 50, 100),
        Arguments.of("mrd:100/rs:fill-down:1000:1500/rot:90", 67, 100),
        Arguments.of("mrd:100/rs:fill-down:0:0/rot:90", 50, 100),
        Arguments.of("mrd:200/rs:fill-down:100:100/pd:100:200:300:400", 200, 144),
        Arguments.of("mrd:200/rs:fill-down:1000:1000/pd:100:200:300:400", 200, 144));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("resultSizeLimits")
  void resultSizeLimit(String options, int width, int height) throws Exception {
    servers.assertRefused(options, "geometry.png", 400, "bad_options");
  }

  /**
   * TestImageResolutionTooLarge: imgproxy answers 422 for max_src_resolution:0.00001. Differs on
   * purpose, as above: the security option is refused (400) before the source is fetched.
   */
  @Test
  void imageResolutionTooLarge() throws Exception {
    servers.assertRefused("max_src_resolution:0.00001", "geometry.png", 400, "bad_options");
  }
}
