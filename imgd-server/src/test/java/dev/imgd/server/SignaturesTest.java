package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** FM-23: signatures exactly as imgproxy computes them. */
class SignaturesTest {
  private static final String PATH =
      "/rs:fill:300:400:0/g:sm/aHR0cDovL2V4YW1w/bGUuY29tL2ltYWdl/cy9jdXJpb3NpdHku/anBn.png";
  // imgproxy's documentation: key "secret" and salt "hello", in hex.
  private static final byte[][] DOC_PAIR = {
    HexFormat.of().parseHex("736563726574"), HexFormat.of().parseHex("68656C6C6F")
  };

  @Test
  void imgproxyDocumentedExampleVerifies() {
    Signatures s = new Signatures(List.<byte[][]>of(DOC_PAIR), 32);
    assertThatCode(() -> s.verify("oKfUtW34Dvo2BGQehJFR4Nr0_rIjOtdtzJ3QFsUcXH8", PATH))
        .doesNotThrowAnyException();
  }

  @Test
  void tamperedPathOrSignatureFails() {
    Signatures s = new Signatures(List.<byte[][]>of(DOC_PAIR), 32);
    assertThatThrownBy(() -> s.verify("oKfUtW34Dvo2BGQehJFR4Nr0_rIjOtdtzJ3QFsUcXH8", PATH + "x"))
        .isInstanceOf(ImgdException.class);
    assertThatThrownBy(() -> s.verify("pKfUtW34Dvo2BGQehJFR4Nr0_rIjOtdtzJ3QFsUcXH8", PATH))
        .isInstanceOf(ImgdException.class);
    assertThatThrownBy(() -> s.verify("insecure", PATH)).isInstanceOf(ImgdException.class);
    assertThatThrownBy(() -> s.verify("!!", PATH)).isInstanceOf(ImgdException.class);
  }

  @Test
  void truncatedSignaturesAndRotatedKeys() {
    byte[][] other = {new byte[] {1, 2, 3}, new byte[] {4, 5}};
    Signatures truncated = new Signatures(List.of(other, DOC_PAIR), 8);
    // imgproxy truncates the HMAC to the signature size before encoding.
    assertThatCode(() -> truncated.verify("oKfUtW34Dvo", PATH)).doesNotThrowAnyException();
    assertThatThrownBy(() -> truncated.verify("oKfUtW34Dvo2BGQehJFR4Nr0_rIjOtdtzJ3QFsUcXH8", PATH))
        .isInstanceOf(ImgdException.class);
  }

  /** Issue 15 (info): a signature with '=' padding was accepted; imgproxy refuses it. */
  @Test
  void paddedSignatureIsRefusedAsImgproxyRefusesIt() {
    Signatures full = new Signatures(List.<byte[][]>of(DOC_PAIR), 32);
    assertThatThrownBy(() -> full.verify("oKfUtW34Dvo2BGQehJFR4Nr0_rIjOtdtzJ3QFsUcXH8=", PATH))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_SIGNATURE));
    Signatures truncated = new Signatures(List.<byte[][]>of(DOC_PAIR), 8);
    assertThatCode(() -> truncated.verify("oKfUtW34Dvo", PATH)).doesNotThrowAnyException();
    assertThatThrownBy(() -> truncated.verify("oKfUtW34Dvo=", PATH))
        .isInstanceOf(ImgdException.class);
  }
}
