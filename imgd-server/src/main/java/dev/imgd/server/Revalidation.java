package dev.imgd.server;

import dev.imgd.server.source.Conditions;
import dev.imgd.server.source.Fetched;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import org.eclipse.jetty.http.HttpDateTime;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.jspecify.annotations.Nullable;

/**
 * The origin's validators, carried through imgd as imgproxy's conditional headers do
 * (IMGPROXY_USE_ETAG, IMGPROXY_USE_LAST_MODIFIED), but so that an origin's 304 only ever becomes a
 * 304 for the same answer.
 *
 * <p>imgproxy passes the origin's ETag on as it is, the same for every set of options, and sends
 * any If-None-Match back to the origin. imgd's ETag binds the origin's to the variant instead,
 * {@code "<hash of the cache key>/<the origin's ETag in base64url>"} (the shape of imgproxy's
 * IMGPROXY_ETAG_BUSTER form): only an If-None-Match that imgd issued for this very key is sent back
 * to the origin, so a client cannot turn an ETag of one URL into a 304 for another.
 * If-Modified-Since is forwarded only when the answer's format does not come from Accept: a 304
 * that carries nothing but a date would let a shared cache refresh the variant of another Accept.
 *
 * <p>The busters (IMGPROXY_ETAG_BUSTER, IMGPROXY_LAST_MODIFIED_BUSTER) invalidate what clients
 * hold: the ETag buster goes into every ETag's hash, so a changed one matches no ETag issued
 * before; no Last-Modified is older than the Last-Modified buster, and an If-Modified-Since that is
 * not later than it is neither honoured nor forwarded.
 */
final class Revalidation {
  private final boolean useEtag;
  private final boolean useLastModified;
  private final String etagBuster;
  private final @Nullable Instant lastModifiedBuster;

  Revalidation(
      boolean useEtag,
      boolean useLastModified,
      String etagBuster,
      @Nullable Instant lastModifiedBuster) {
    this.useEtag = useEtag;
    this.useLastModified = useLastModified;
    this.etagBuster = etagBuster;
    this.lastModifiedBuster = lastModifiedBuster;
  }

  /** What to ask the origin, given what the client holds; {@code key} null: nothing. */
  Conditions conditions(HttpFields request, @Nullable String key, boolean varyAccept) {
    if (key == null) {
      return Conditions.NONE;
    }
    HttpField ifNoneMatch = request.getField(HttpHeader.IF_NONE_MATCH);
    if (ifNoneMatch != null) {
      // It takes precedence over If-Modified-Since (RFC 9110 13.2.2): only it may be sent.
      String origin = useEtag ? originEtag(ifNoneMatch, key) : null;
      return origin == null ? Conditions.NONE : new Conditions(origin, null);
    }
    String since = request.get(HttpHeader.IF_MODIFIED_SINCE);
    return useLastModified && !varyAccept && since != null && laterThanBuster(since)
        ? new Conditions(null, since)
        : Conditions.NONE;
  }

  /** Whether a date parses and is later than the Last-Modified buster, if any. */
  private boolean laterThanBuster(String date) {
    long millis = HttpDateTime.parseToEpoch(date);
    return millis >= 0
        && (lastModifiedBuster == null || millis > lastModifiedBuster.toEpochMilli());
  }

  /**
   * The answer's ETag: bound to the variant and the origin's ETag when there is one to use, else a
   * hash of the bytes.
   */
  String etag(@Nullable String key, byte[] bytes, @Nullable String originEtag) {
    if (key != null && useEtag && originEtag != null) {
      return '"' + variant(key) + '/' + base64(originEtag) + '"';
    }
    return '"' + HexFormat.of().formatHex(sha256(busted(), bytes), 0, 16) + '"';
  }

  /**
   * The ETag of an origin's 304: its own ETag if it sent one, else the one imgd asked it about.
   * Null when neither (a 304 to If-Modified-Since without an ETag).
   */
  @Nullable String etag(String key, Fetched notModified, Conditions asked) {
    String origin = notModified.etag() != null ? notModified.etag() : asked.ifNoneMatch();
    return useEtag && origin != null ? '"' + variant(key) + '/' + base64(origin) + '"' : null;
  }

  /** The origin's Last-Modified, when it is to be passed on; the buster where it is later. */
  @Nullable String lastModified(@Nullable Fetched fetched) {
    String origin = useLastModified && fetched != null ? fetched.lastModified() : null;
    if (origin == null || lastModifiedBuster == null || laterThanBuster(origin)) {
      return origin;
    }
    return IMF_FIXDATE.format(lastModifiedBuster.atZone(ZoneOffset.UTC));
  }

  /** RFC 9110's HTTP date (Jetty's and the JDK's RFC 1123 forms drop the day's leading 0). */
  private static final DateTimeFormatter IMF_FIXDATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT);

  /**
   * Whether the client already holds this answer: its If-None-Match names the ETag, or, without
   * one, nothing changed since its If-Modified-Since (never for a format chosen from Accept).
   */
  static boolean clientHolds(
      HttpFields request, String etag, @Nullable String lastModified, boolean varyAccept) {
    HttpField ifNoneMatch = request.getField(HttpHeader.IF_NONE_MATCH);
    if (ifNoneMatch != null) {
      return ifNoneMatch.contains(etag) || ifNoneMatch.contains("*");
    }
    String since = request.get(HttpHeader.IF_MODIFIED_SINCE);
    if (since == null || lastModified == null || varyAccept) {
      return false;
    }
    long sinceMillis = HttpDateTime.parseToEpoch(since);
    long modified = HttpDateTime.parseToEpoch(lastModified);
    return sinceMillis >= 0 && modified >= 0 && modified <= sinceMillis;
  }

  /** The origin's ETag inside an imgd ETag issued for {@code key}, or null. */
  private @Nullable String originEtag(HttpField ifNoneMatch, String key) {
    String prefix = variant(key) + '/';
    for (String value : ifNoneMatch.getValues()) {
      String tag = value.strip();
      tag = tag.startsWith("W/") ? tag.substring(2) : tag;
      if (tag.length() < 2 || !tag.startsWith("\"") || !tag.endsWith("\"")) {
        continue;
      }
      tag = tag.substring(1, tag.length() - 1);
      if (tag.startsWith(prefix)) {
        String origin = decode(tag.substring(prefix.length()));
        if (origin != null) {
          return origin;
        }
      }
    }
    return null;
  }

  /** The decoded origin ETag, if it is one a header can carry (printable ASCII); else null. */
  private static @Nullable String decode(String base64) {
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      return null;
    }
    for (byte b : bytes) {
      if (b < 0x20 || b > 0x7e) {
        return null;
      }
    }
    return bytes.length == 0 ? null : new String(bytes, StandardCharsets.US_ASCII);
  }

  private static String base64(String originEtag) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(originEtag.getBytes(StandardCharsets.UTF_8));
  }

  /** 64 bits of the cache key: which options, format and source the answer is. */
  private String variant(String key) {
    return HexFormat.of().formatHex(sha256(busted(), key.getBytes(StandardCharsets.UTF_8)), 0, 8);
  }

  /** What goes into every ETag's hash before the answer's own bytes: the ETag buster, if any. */
  private byte[] busted() {
    return etagBuster.isEmpty()
        ? new byte[0]
        : (etagBuster + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] sha256(byte[] prefix, byte[] bytes) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(prefix);
      return sha.digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
