package dev.imgd.server.settings;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** A listener address: a host and a port, 0 for a free one. */
public record HostPort(String host, int port) {
  /** Whether the host is a loopback address (a name that does not resolve is not). */
  public boolean loopback() {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
