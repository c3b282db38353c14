package dev.imgd.server;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.jspecify.annotations.Nullable;

/**
 * The admin listener's bearer token (RFC 6750, {@code IMGD_ADMIN_TOKEN}), also taken as the
 * password of HTTP Basic (RFC 7617) so that a browser can ask for it. Only its SHA-256 is kept, and
 * the given token's digest is compared with it in constant time, so neither the time taken nor the
 * answer tells how much of a guess was right.
 */
final class AdminToken {
  private static final String BEARER = "Bearer ";
  private static final String BASIC = "Basic ";

  private final byte @Nullable [] digest;

  /** Without a token nothing is admitted. */
  AdminToken(Optional<String> token) {
    this.digest = token.map(AdminToken::sha256).orElse(null);
  }

  /**
   * Admits a request that carries the token.
   *
   * @throws ImgdException {@link ErrorCode#UNAUTHORIZED}, the same for a missing and a wrong token
   */
  void check(Request request) {
    String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    String given = header == null ? "" : given(header);
    if (digest == null || !MessageDigest.isEqual(digest, sha256(given))) {
      throw new ImgdException(ErrorCode.UNAUTHORIZED, "the admin listener needs its bearer token");
    }
  }

  /**
   * The token a Bearer header carries, or the password of a Basic one: how a browser asks a person
   * for it (the playground's page on the admin listener); the user name is not read.
   */
  private static String given(String header) {
    if (header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return header.substring(BEARER.length()).strip();
    }
    if (header.regionMatches(true, 0, BASIC, 0, BASIC.length())) {
      try {
        String pair =
            new String(
                Base64.getDecoder().decode(header.substring(BASIC.length()).strip()),
                StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        return colon < 0 ? "" : pair.substring(colon + 1);
      } catch (IllegalArgumentException e) {
        return "";
      }
    }
    return "";
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
