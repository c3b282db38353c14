package dev.imgd.core.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import dev.imgd.core.Limits;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * The probe's metadata readers (FM-17): the fuzzed bytes become the payload of one metadata
 * container inside an otherwise valid 8x8 image, so the mutations land in the EXIF/TIFF IFD walk
 * (JPEG APP1, PNG eXIf, WebP EXIF), the JPEG APP segment walk (EXIF, XMP, ICC split over segments)
 * or the PNG text and profile chunks (tEXt, zTXt, iTXt, iCCP with their zlib data), instead of
 * being refused at the magic number.
 *
 * <p>Invariants, true by design: broken metadata never makes the image unreadable (the walk stops,
 * the probe still reports the 8x8 image and an orientation in 1..8); with limits, the only error is
 * LIMIT_EXCEEDED. A raw TIFF (the IFD walk as a file) may also be CORRUPT_IMAGE. Nothing else may
 * be thrown, and every input terminates.
 *
 * <p>Without JAZZER_FUZZ the committed corpus in
 * src/test/resources/dev/imgd/core/probe/ProbeMetadataFuzzTestInputs/metadata is replayed.
 */
class ProbeMetadataFuzzTest {
  private static final String[] JPEG_KINDS = {"Exif\0\0", "http://ns.adobe.com/xap/1.0/\0", ""};
  private static final String[] PNG_KINDS = {"eXIf", "tEXt", "zTXt", "iTXt", "iCCP"};
  private static final String[] WEBP_KINDS = {"EXIF", "XMP ", "ICCP"};

  @FuzzTest(maxDuration = "2m")
  void metadata(FuzzedDataProvider d) {
    int kind = d.consumeInt(0, 9);
    int segments = d.consumeInt(1, 4);
    byte[] payload = d.consumeRemainingAsBytes();
    byte[] image =
        switch (kind) {
          case 0, 1 -> jpeg(JPEG_KINDS[kind], payload, segments);
          case 2 -> jpegIcc(payload, segments);
          case 3, 4, 5, 6, 7 -> png(PNG_KINDS[kind - 3], payload);
          case 8 -> webp(WEBP_KINDS[segments % 3], payload);
          default -> tiff(payload);
        };
    boolean tiff = kind == 9;
    try {
      ProbeResult p = Probe.unguarded(image, null);
      if (!tiff) {
        assertThat(p.width()).isEqualTo(8);
        assertThat(p.height()).isEqualTo(8);
      }
      assertThat(p.orientation()).isBetween(1, 8);
    } catch (ImgdException e) {
      assertThat(tiff).as("only a raw TIFF may be unreadable: " + e.getMessage()).isTrue();
      assertThat(e.code()).isIn(ErrorCode.CORRUPT_IMAGE, ErrorCode.LIMIT_EXCEEDED);
    }
    try {
      Probe.unguarded(image, Limits.DEFAULTS);
    } catch (ImgdException e) {
      if (!tiff) {
        assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
      }
    }
  }

  /** SOI, the payload in up to {@code segments} APP1 segments with the prefix, SOF0 8x8, EOI. */
  static byte[] jpeg(String prefix, byte[] payload, int segments) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xD8});
    int max = 65533 - prefix.length();
    int per = Math.min(max, Math.max(1, (payload.length + segments - 1) / segments));
    int pos = 0;
    do {
      int n = Math.min(per, payload.length - pos);
      segment(out, 0xE1, concat(ascii(prefix), slice(payload, pos, n)));
      pos += n;
    } while (pos < payload.length);
    return sof(out);
  }

  /** The payload as an ICC profile in APP2 chunks with sequence numbers. */
  static byte[] jpegIcc(byte[] payload, int segments) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xD8});
    int per = Math.min(65519, Math.max(1, (payload.length + segments - 1) / segments));
    int count = Math.max(1, (payload.length + per - 1) / per);
    for (int i = 0; i < count; i++) {
      int n = Math.min(per, payload.length - i * per);
      byte[] head = concat(ascii("ICC_PROFILE\0"), new byte[] {(byte) (i + 1), (byte) count});
      segment(out, 0xE2, concat(head, slice(payload, i * per, Math.max(0, n))));
    }
    return sof(out);
  }

  private static byte[] sof(ByteArrayOutputStream out) {
    segment(out, 0xC0, new byte[] {8, 0, 8, 0, 8, 1, 1, 0x11, 0});
    out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xD9});
    return out.toByteArray();
  }

  /** An 8x8 grey PNG with the payload as one chunk of {@code type} after IHDR. */
  static byte[] png(String type, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(ascii("\u0089PNG\r\n\u001a\n"));
    chunk(out, "IHDR", new byte[] {0, 0, 0, 8, 0, 0, 0, 8, 8, 0, 0, 0, 0});
    chunk(out, type, payload);
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  /** A VP8X 8x8 WebP with the payload as one chunk of {@code type}. */
  static byte[] webp(String type, byte[] payload) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(ascii("WEBP"));
    riffChunk(body, "VP8X", new byte[] {0x2C, 0, 0, 0, 7, 0, 0, 7, 0, 0});
    riffChunk(body, type, payload);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(ascii("RIFF"));
    out.writeBytes(le32(body.size()));
    out.writeBytes(body.toByteArray());
    return out.toByteArray();
  }

  /** The payload after a little-endian TIFF signature: the IFD walk as a whole file. */
  static byte[] tiff(byte[] payload) {
    return concat(ascii("II*\0"), payload);
  }

  private static void segment(ByteArrayOutputStream out, int marker, byte[] body) {
    int length = body.length + 2;
    out.writeBytes(new byte[] {(byte) 0xFF, (byte) marker, (byte) (length >> 8), (byte) length});
    out.writeBytes(body);
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    CRC32 crc = new CRC32();
    crc.update(ascii(type));
    crc.update(data);
    out.writeBytes(be32(data.length));
    out.writeBytes(ascii(type));
    out.writeBytes(data);
    out.writeBytes(be32((int) crc.getValue()));
  }

  private static void riffChunk(ByteArrayOutputStream out, String type, byte[] data) {
    out.writeBytes(ascii(type));
    out.writeBytes(le32(data.length));
    out.writeBytes(data);
    if ((data.length & 1) != 0) {
      out.write(0);
    }
  }

  private static byte[] slice(byte[] b, int from, int n) {
    byte[] s = new byte[n];
    System.arraycopy(b, from, s, 0, n);
    return s;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = new byte[a.length + b.length];
    System.arraycopy(a, 0, c, 0, a.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] be32(int v) {
    return new byte[] {(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v};
  }

  private static byte[] le32(int v) {
    return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
  }
}
