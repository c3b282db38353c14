package dev.imgd.server.settings;

/** A listener address: a host and a port, 0 for a free one. */
public record HostPort(String host, int port) {
  @Override
  public String toString() {
    return host + ":" + port;
  }
}
