package dev.imgd.server.source;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Which sources are enabled and how far they may reach: {@link #defaults()}, or a few settings
 * changed with {@link #builder()}.
 *
 * @param localRoot the folder {@code local:///} URLs are jailed to; null disables local files
 * @param httpEnabled whether {@code http://} and {@code https://} URLs are fetched (default true)
 * @param downloadTimeout the longest one download may take (default 10 s); the deadline given to
 *     {@link Source#fetch} also applies, whichever comes first
 * @param maxRedirects redirects followed per fetch, each one checked again (default 3)
 * @param allowedNetworks CIDRs (like {@code 127.0.0.1/32} or {@code fd12::/64}) that may be reached
 *     although the SSRF guard (FM-22) refuses loopback, private, link-local and metadata addresses;
 *     default empty. The names "localhost" and "*.localhost" stand for both 127.0.0.1 and ::1 (RFC
 *     6761), so they pass only if both are allowed.
 * @param allowedSources URL prefixes a source must start with, like imgproxy's {@code
 *     IMGPROXY_ALLOWED_SOURCES} ({@code https://images.example.com/}, {@code s3://bucket/}, {@code
 *     local:///}); empty allows every enabled source. A prefix naming only a scheme and host gets a
 *     trailing slash, so that {@code https://a.example} does not admit {@code
 *     https://a.example.evil.net}.
 * @param s3Enabled whether {@code s3://bucket/key} URLs are fetched (default false)
 * @param s3Endpoint an S3-compatible endpoint URL; null means AWS itself
 * @param s3Region the signing region (default us-east-1)
 * @param s3PathStyle path-style addressing ({@code endpoint/bucket/key}), which most S3-compatible
 *     servers need
 * @param s3AccessKey with {@code s3SecretKey}, fixed credentials; null means the AWS SDK's default
 *     provider chain (environment, profile, instance role)
 * @param s3SecretKey the secret of {@code s3AccessKey}; never printed
 */
public record SourceSettings(
    @Nullable Path localRoot,
    boolean httpEnabled,
    Duration downloadTimeout,
    int maxRedirects,
    List<String> allowedNetworks,
    List<String> allowedSources,
    boolean s3Enabled,
    @Nullable String s3Endpoint,
    String s3Region,
    boolean s3PathStyle,
    @Nullable String s3AccessKey,
    @Nullable String s3SecretKey) {

  public SourceSettings {
    Objects.requireNonNull(downloadTimeout, "downloadTimeout");
    if (downloadTimeout.isNegative() || downloadTimeout.isZero()) {
      throw new IllegalArgumentException("downloadTimeout must be > 0: " + downloadTimeout);
    }
    if (maxRedirects < 0) {
      throw new IllegalArgumentException("maxRedirects must be >= 0: " + maxRedirects);
    }
    allowedNetworks = List.copyOf(allowedNetworks);
    allowedSources = List.copyOf(allowedSources);
    allowedNetworks.forEach(SourceSettings::checkNetwork); // at start-up, not at the first fetch
    Objects.requireNonNull(s3Region, "s3Region");
    if ((s3AccessKey == null) != (s3SecretKey == null)) {
      throw new IllegalArgumentException("s3AccessKey and s3SecretKey go together");
    }
  }

  /**
   * Checks one entry of {@code allowedNetworks}: a CIDR like {@code 10.0.0.0/8} or a bare address.
   *
   * @throws IllegalArgumentException if it is neither
   */
  public static void checkNetwork(String cidr) {
    AddressGuard.Cidr.parse(cidr);
  }

  /** HTTP enabled with the SSRF guard, local files and S3 disabled, no allow-list. */
  public static SourceSettings defaults() {
    return builder().build();
  }

  /** A builder holding the defaults, for changing a few of them. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String toString() {
    return "SourceSettings[localRoot=%s, httpEnabled=%s, downloadTimeout=%s, maxRedirects=%d,"
            .formatted(localRoot, httpEnabled, downloadTimeout, maxRedirects)
        + " allowedNetworks=%s, allowedSources=%s, s3Enabled=%s, s3Endpoint=%s, s3Region=%s,"
            .formatted(allowedNetworks, allowedSources, s3Enabled, s3Endpoint, s3Region)
        + " s3PathStyle=%s, s3AccessKey=%s, s3SecretKey=%s]"
            .formatted(s3PathStyle, s3AccessKey, s3SecretKey == null ? null : "***");
  }

  /** Changes some settings, starting from the defaults; {@link #build} checks them all. */
  public static final class Builder {
    private @Nullable Path localRoot = null;
    private boolean httpEnabled = true;
    private Duration downloadTimeout = Duration.ofSeconds(10);
    private int maxRedirects = 3;
    private List<String> allowedNetworks = List.of();
    private List<String> allowedSources = List.of();
    private boolean s3Enabled = false;
    private @Nullable String s3Endpoint = null;
    private String s3Region = "us-east-1";
    private boolean s3PathStyle = false;
    private @Nullable String s3AccessKey = null;
    private @Nullable String s3SecretKey = null;

    private Builder() {}

    public Builder localRoot(@Nullable Path v) {
      localRoot = v;
      return this;
    }

    public Builder httpEnabled(boolean v) {
      httpEnabled = v;
      return this;
    }

    public Builder downloadTimeout(Duration v) {
      downloadTimeout = v;
      return this;
    }

    public Builder maxRedirects(int v) {
      maxRedirects = v;
      return this;
    }

    public Builder allowedNetworks(List<String> v) {
      allowedNetworks = v;
      return this;
    }

    public Builder allowedSources(List<String> v) {
      allowedSources = v;
      return this;
    }

    public Builder s3Enabled(boolean v) {
      s3Enabled = v;
      return this;
    }

    public Builder s3Endpoint(String v) {
      s3Endpoint = v;
      return this;
    }

    public Builder s3Region(String v) {
      s3Region = v;
      return this;
    }

    public Builder s3PathStyle(boolean v) {
      s3PathStyle = v;
      return this;
    }

    /** Fixed S3 credentials instead of the SDK's default provider chain; both or neither. */
    public Builder s3Credentials(String accessKey, String secretKey) {
      s3AccessKey = accessKey;
      s3SecretKey = secretKey;
      return this;
    }

    public SourceSettings build() {
      return new SourceSettings(
          localRoot,
          httpEnabled,
          downloadTimeout,
          maxRedirects,
          allowedNetworks,
          allowedSources,
          s3Enabled,
          s3Endpoint,
          s3Region,
          s3PathStyle,
          s3AccessKey,
          s3SecretKey);
    }
  }
}
