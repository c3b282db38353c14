package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.util.List;

/**
 * The signature check on any input (FM-23): it accepts or refuses with BAD_SIGNATURE, nothing else;
 * a signature made for a path always verifies, and never for another path.
 */
class SignaturesFuzzTest {
  private static final byte[][] PAIR = {"secret".getBytes(), "hello".getBytes()};

  @FuzzTest(maxDuration = "30s")
  void verify(FuzzedDataProvider data) {
    int size = data.consumeInt(1, 32);
    Signatures s = new Signatures(List.<byte[][]>of(PAIR), size);
    String signature = data.consumeString(64);
    String path = data.consumeRemainingAsString();
    try {
      s.verify(signature, path);
    } catch (ImgdException e) {
      assertThat(e.code()).isEqualTo(ErrorCode.BAD_SIGNATURE);
    }
    String good = s.sign(path);
    assertThatCode(() -> s.verify(good, path)).doesNotThrowAnyException();
    if (size < 8) {
      return; // a 1-byte signature collides once in 256 paths: truncation is the operator's choice
    }
    try {
      s.verify(good, path + "x");
      throw new AssertionError("a signature verified for another path");
    } catch (ImgdException e) {
      assertThat(e.code()).isEqualTo(ErrorCode.BAD_SIGNATURE);
    }
  }
}
