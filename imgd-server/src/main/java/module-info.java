/**
 * The HTTP server: {@link dev.imgd.server.ImgdServer} started from typed {@link
 * dev.imgd.server.settings.Settings}. Sources (local, HTTP, S3) are its implementation.
 */
// Micrometer, Resilience4j, Lettuce, the AWS SDK and OpenTelemetry ship no module descriptor, only
// an
// Automatic-Module-Name.
@SuppressWarnings("requires-automatic")
module dev.imgd.server {
  requires static transitive org.jspecify;
  requires transitive dev.imgd.worker;
  requires dev.imgd.vips;
  requires org.slf4j;
  requires org.eclipse.jetty.server;
  requires org.eclipse.jetty.client;
  requires com.github.benmanes.caffeine;
  requires com.fasterxml.jackson.databind;
  requires micrometer.core;
  requires micrometer.registry.prometheus;
  requires io.github.resilience4j.circuitbreaker;
  requires lettuce.core;
  requires software.amazon.awssdk.services.s3;
  requires software.amazon.awssdk.http.urlconnection;
  requires software.amazon.awssdk.auth;
  requires software.amazon.awssdk.core;
  requires software.amazon.awssdk.awscore;
  requires software.amazon.awssdk.http;
  requires software.amazon.awssdk.regions;
  requires io.opentelemetry.api;
  requires io.opentelemetry.context;
  requires io.opentelemetry.sdk;
  requires io.opentelemetry.sdk.common;
  requires io.opentelemetry.sdk.autoconfigure;
  requires io.opentelemetry.sdk.autoconfigure.spi;
  requires jdk.jfr;
  requires java.management;

  exports dev.imgd.server;
  exports dev.imgd.server.settings;
}
