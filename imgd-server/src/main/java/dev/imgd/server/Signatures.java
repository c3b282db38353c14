package dev.imgd.server;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import dev.imgd.server.settings.Settings;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * URL signatures exactly as imgproxy makes them: base64url (no padding) of HMAC-SHA256(key, salt +
 * path), truncated to {@code size} bytes before encoding. Several key/salt pairs may be valid at
 * once, for rotation. Without keys every signature is accepted (insecure mode) but one that looks
 * like an option. Trusted signatures (imgproxy's {@code IMGPROXY_TRUSTED_SIGNATURES}) are accepted
 * for any path.
 */
final class Signatures {
  private final List<byte[][]> pairs;
  private final int size;
  private final List<byte[]> trusted;

  Signatures(List<byte[][]> pairs, int size) {
    this(pairs, size, List.of());
  }

  Signatures(List<byte[][]> pairs, int size, List<String> trusted) {
    if (size < 1 || size > 32) {
      throw new IllegalArgumentException("signature size must be 1-32 bytes: " + size);
    }
    this.pairs = List.copyOf(pairs);
    this.size = size;
    this.trusted = trusted.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
  }

  /** The key/salt pairs and the signature size of the server's settings. */
  static Signatures of(Settings settings) {
    List<byte[]> keys = settings.get(Settings.KEY);
    List<byte[]> salts = settings.get(Settings.SALT);
    List<byte[][]> pairs = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      pairs.add(new byte[][] {keys.get(i), salts.get(i)});
    }
    return new Signatures(
        pairs, settings.get(Settings.SIGNATURE_SIZE), settings.get(Settings.TRUSTED_SIGNATURES));
  }

  boolean enabled() {
    return !pairs.isEmpty();
  }

  /**
   * Checks the signature of {@code path} (everything after the signature, from its leading '/').
   *
   * @throws ImgdException BAD_SIGNATURE when no key/salt pair gives this signature
   */
  void verify(String signature, String path) {
    if (!enabled()) {
      // imgproxy's check: a URL without its signature segment would lose its first option to it.
      if (signature.contains(":")) {
        throw new ImgdException(
            ErrorCode.BAD_SIGNATURE,
            "the signature segment looks like a processing option; the URL needs a signature"
                + " segment (any text when signing is off) before the options");
      }
      return;
    }
    byte[] asGiven = signature.getBytes(StandardCharsets.UTF_8);
    for (byte[] t : trusted) {
      if (MessageDigest.isEqual(asGiven, t)) { // constant time, as for the computed ones
        return;
      }
    }
    // base64url without padding, as imgproxy: Java's decoder would take a padded one too.
    if (signature.indexOf('=') >= 0) {
      throw bad();
    }
    byte[] given;
    try {
      given = Base64.getUrlDecoder().decode(signature);
    } catch (IllegalArgumentException e) {
      throw bad();
    }
    for (byte[][] pair : pairs) {
      // Constant time: the comparison must not tell how many leading bytes were right.
      if (MessageDigest.isEqual(given, sign(pair[0], pair[1], path))) {
        return;
      }
    }
    throw bad();
  }

  /** The signature of {@code path} with the first key/salt pair. */
  String sign(String path) {
    byte[][] pair = pairs.getFirst();
    return Base64.getUrlEncoder().withoutPadding().encodeToString(sign(pair[0], pair[1], path));
  }

  private byte[] sign(byte[] key, byte[] salt, String path) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update(salt);
      mac.update(path.getBytes(StandardCharsets.UTF_8));
      return Arrays.copyOf(mac.doFinal(), size);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ImgdException bad() {
    return new ImgdException(ErrorCode.BAD_SIGNATURE, "the URL signature does not match");
  }
}
