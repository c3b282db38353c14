package dev.imgd.server.source;

import static dev.imgd.core.ErrorCode.BAD_OPTIONS;
import static dev.imgd.core.ErrorCode.DEADLINE_EXCEEDED;
import static dev.imgd.core.ErrorCode.SOURCE_FAILED;
import static dev.imgd.core.ErrorCode.SOURCE_NOT_FOUND;
import static dev.imgd.core.ErrorCode.TOO_LARGE;
import static dev.imgd.server.source.Failures.fail;
import static dev.imgd.server.source.Failures.fault;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * {@code s3://bucket/key} (optionally {@code ?versionId=v}) through the AWS SDK. The endpoint is
 * the operator's, not the client's, so the SSRF guard does not apply; the cap and the deadline do.
 */
final class S3Source implements Source, AutoCloseable {
  private static final Pattern BUCKET = Pattern.compile("[A-Za-z0-9._-]{1,255}");
  private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

  private final S3Client client;

  /** Aborts a download still streaming at its deadline, which unblocks the reading thread. */
  private final ScheduledExecutorService watchdog =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("imgd-source-s3-deadline").factory());

  S3Source(SourceSettings settings) {
    AwsCredentialsProvider credentials =
        settings.s3AccessKey() == null
            ? DefaultCredentialsProvider.builder().build()
            : StaticCredentialsProvider.create(
                AwsBasicCredentials.create(settings.s3AccessKey(), settings.s3SecretKey()));
    S3ClientBuilder builder =
        S3Client.builder()
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(settings.downloadTimeout())
                    .socketTimeout(settings.downloadTimeout()))
            .region(Region.of(settings.s3Region()))
            .forcePathStyle(settings.s3PathStyle())
            .credentialsProvider(credentials);
    if (settings.s3Endpoint() != null) {
      builder.endpointOverride(URI.create(settings.s3Endpoint()));
    }
    client = builder.build();
  }

  @Override
  public String identity(URI url) {
    return parse(url).toString();
  }

  @Override
  public Fetched fetch(URI url, Instant deadline, long maxBytes) {
    S3Url s3 = parse(url);
    Duration left = Duration.between(Instant.now(), deadline);
    if (left.isNegative() || left.isZero()) {
      throw fail(DEADLINE_EXCEEDED, "deadline exceeded fetching the source", url, "before send");
    }
    GetObjectRequest request =
        GetObjectRequest.builder()
            .bucket(s3.bucket)
            .key(s3.key)
            .versionId(s3.versionId)
            .overrideConfiguration(o -> o.apiCallTimeout(left)) // covers retries up to the headers
            .build();
    ResponseInputStream<GetObjectResponse> in;
    try {
      in = client.getObject(request);
    } catch (NoSuchKeyException | NoSuchBucketException e) {
      throw fail(SOURCE_NOT_FOUND, "source not found", url, e.getClass().getSimpleName());
    } catch (S3Exception e) {
      String reason = "status " + e.statusCode() + " " + errorCode(e);
      // S3 answers AccessDenied for a missing key the credentials may not list: not found.
      if (e.statusCode() == 404 || errorCode(e).equals("AccessDenied")) {
        throw fail(SOURCE_NOT_FOUND, "source not found", url, reason);
      }
      // A 4xx is about the key, which the client chose: never the bucket's fault.
      if (e.statusCode() < 500) {
        throw fail(SOURCE_FAILED, "source could not be fetched", url, reason, e);
      }
      throw fault(SOURCE_FAILED, "source could not be fetched", url, reason, e);
    } catch (ApiCallTimeoutException | ApiCallAttemptTimeoutException e) {
      throw fault(DEADLINE_EXCEEDED, "deadline exceeded fetching the source", url, "timeout", e);
    } catch (SdkException e) {
      throw failed(url, deadline, e);
    }
    // The body streams after getObject returns, beyond the SDK's timeout: abort it at the deadline.
    ScheduledFuture<?> abort =
        watchdog.schedule(
            in::abort,
            Math.max(0, Duration.between(Instant.now(), deadline).toMillis()),
            TimeUnit.MILLISECONDS);
    try {
      Long declared = in.response().contentLength();
      if (declared != null && declared > maxBytes) {
        in.abort(); // do not download what will be refused
        throw fail(TOO_LARGE, "source is too large", url, declared + " > " + maxBytes + " bytes");
      }
      // Read one byte past the cap whatever the length said.
      byte[] bytes = in.readNBytes((int) Math.min(maxBytes, MAX_ARRAY - 1) + 1);
      if (bytes.length > maxBytes) {
        in.abort();
        throw fail(TOO_LARGE, "source is too large", url, "over " + maxBytes + " bytes");
      }
      return Fetched.from(url, bytes);
    } catch (IOException | SdkException e) {
      in.abort();
      throw failed(url, deadline, e);
    } finally {
      abort.cancel(false);
      try {
        in.close();
      } catch (IOException | RuntimeException e) {
        // Aborted or fully read: nothing left to release.
      }
    }
  }

  @Override
  public void close() {
    watchdog.shutdownNow();
    client.close();
  }

  /** The endpoint could not be reached or broke off: its fault. */
  private static OriginFault failed(URI url, Instant deadline, Exception e) {
    if (!Instant.now().isBefore(deadline)) {
      return fault(DEADLINE_EXCEEDED, "deadline exceeded fetching the source", url, "deadline", e);
    }
    return fault(SOURCE_FAILED, "source could not be fetched", url, e.toString(), e);
  }

  private static String errorCode(S3Exception e) {
    return e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null
        ? ""
        : e.awsErrorDetails().errorCode();
  }

  private static S3Url parse(URI url) {
    String bucket = url.getRawAuthority();
    String path = url.getPath();
    if (url.isOpaque()
        || bucket == null
        || !BUCKET.matcher(bucket).matches()
        || path == null
        || path.length() < 2) {
      throw fail(BAD_OPTIONS, "an S3 source looks like s3://bucket/key", url, "malformed");
    }
    String versionId = null;
    if (url.getRawQuery() != null) {
      for (String pair : url.getRawQuery().split("&", -1)) { // empty pairs match nothing
        if (pair.startsWith("versionId=")) {
          versionId = URLDecoder.decode(pair.substring(10), StandardCharsets.UTF_8);
        }
      }
    }
    return new S3Url(bucket, path.substring(1), versionId);
  }

  private record S3Url(String bucket, String key, @Nullable String versionId) {
    /** Each part encoded, so no key can pose as another key plus a version. */
    @Override
    public String toString() {
      String id = "s3://" + bucket + "/" + URLEncoder.encode(key, StandardCharsets.UTF_8);
      return versionId == null
          ? id
          : id + "?versionId=" + URLEncoder.encode(versionId, StandardCharsets.UTF_8);
    }
  }
}
