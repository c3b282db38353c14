package dev.imgd.server;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.jspecify.annotations.Nullable;

/**
 * The admin listener's bearer token (RFC 6750, {@code IMGD_ADMIN_TOKEN}). Only its SHA-256 is kept,
 * and the given token's digest is compared with it in constant time, so neither the time taken nor
 * the answer tells how much of a guess was right.
 */
final class AdminToken {
  private static final String BEARER = "Bearer ";

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
    String given =
        header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())
            ? header.substring(BEARER.length()).strip()
            : "";
    if (digest == null || !MessageDigest.isEqual(digest, sha256(given))) {
      throw new ImgdException(ErrorCode.UNAUTHORIZED, "the admin listener needs its bearer token");
    }
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
