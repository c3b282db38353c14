package dev.imgd.server.source;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The SSRF guard (FM-22): which addresses a fetch may connect to. A URL given by a client must not
 * make the server reach its own loopback, the private network around it or a cloud metadata
 * service, so every such address is refused unless an operator lists it in allowed networks.
 */
final class AddressGuard {

  /** Address ranges no fetch may reach, with the reason logged when one is refused. */
  private static final List<Range> REFUSED =
      List.of(
          // Cloud metadata first, so the log names them; each also lies in a range below.
          new Range("169.254.169.254/32", "cloud metadata"),
          new Range("100.100.100.200/32", "cloud metadata"),
          new Range("fd00:ec2::254/128", "cloud metadata"),
          new Range("0.0.0.0/8", "this-network"),
          new Range("127.0.0.0/8", "loopback"),
          new Range("10.0.0.0/8", "private"),
          new Range("172.16.0.0/12", "private"),
          new Range("192.168.0.0/16", "private"),
          new Range("169.254.0.0/16", "link-local"),
          new Range("100.64.0.0/10", "carrier-grade NAT"),
          new Range("192.0.0.0/24", "IETF protocol assignments"),
          new Range("198.18.0.0/15", "benchmarking"),
          new Range("224.0.0.0/4", "multicast"),
          new Range("240.0.0.0/4", "reserved"),
          // Unspecified, loopback and the deprecated IPv4-compatible form.
          new Range("::/96", "unspecified or loopback"),
          new Range("100::/64", "discard"),
          new Range("fc00::/7", "unique-local"),
          new Range("fe80::/10", "link-local"),
          new Range("fec0::/10", "site-local"),
          new Range("ff00::/8", "multicast"));

  /** 6to4 and NAT64 carry an IPv4 address that the packet ends up at: check that one too. */
  private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");

  private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");

  private final List<Cidr> allowed;

  AddressGuard(List<String> allowedNetworks) {
    allowed = allowedNetworks.stream().map(Cidr::parse).toList();
  }

  /** Why a fetch may not connect to this address, or empty if it may. */
  Optional<String> refusal(InetAddress address) {
    InetAddress a = unmapped(address);
    for (Cidr c : allowed) {
      if (c.contains(a)) {
        return Optional.empty();
      }
    }
    for (Range r : REFUSED) {
      if (r.cidr.contains(a)) {
        return Optional.of(r.reason);
      }
    }
    // Belt and braces: the JDK's own view of special addresses.
    if (a.isLoopbackAddress()
        || a.isAnyLocalAddress()
        || a.isLinkLocalAddress()
        || a.isSiteLocalAddress()
        || a.isMulticastAddress()) {
      return Optional.of("special-purpose");
    }
    byte[] b = a.getAddress();
    if (SIX_TO_FOUR.contains(a)) {
      return refusal(ipv4(Arrays.copyOfRange(b, 2, 6))).map(r -> r + " (6to4)");
    }
    if (NAT64.contains(a)) {
      return refusal(ipv4(Arrays.copyOfRange(b, 12, 16))).map(r -> r + " (NAT64)");
    }
    return Optional.empty();
  }

  /** {@code ::ffff:10.0.0.1} is 10.0.0.1 on a dual-stack socket. */
  static InetAddress unmapped(InetAddress a) {
    byte[] b = a.getAddress();
    if (a instanceof Inet6Address && b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
      for (int i = 0; i < 10; i++) {
        if (b[i] != 0) {
          return a;
        }
      }
      return ipv4(Arrays.copyOfRange(b, 12, 16));
    }
    return a;
  }

  private static InetAddress ipv4(byte[] four) {
    try {
      return InetAddress.getByAddress(four);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // four bytes always make an address
    }
  }

  private record Range(Cidr cidr, String reason) {
    Range(String cidr, String reason) {
      this(Cidr.parse(cidr), reason);
    }
  }

  /** A network as address bytes and a prefix length. */
  @SuppressWarnings("ArrayRecordComponent") // compared only through contains(), never equals
  record Cidr(byte[] network, int prefix) {
    /** Parses {@code 10.0.0.0/8}, {@code fd00::/8} or a bare address (a single host). */
    static Cidr parse(String text) {
      String s = text.strip();
      int slash = s.indexOf('/');
      String host = slash < 0 ? s : s.substring(0, slash);
      byte[] bytes;
      try {
        bytes = InetAddress.ofLiteral(host).getAddress(); // a literal only: never asks DNS
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("not a CIDR: " + text, e);
      }
      int prefix;
      try {
        prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(s.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a CIDR: " + text, e);
      }
      if (prefix < 0 || prefix > bytes.length * 8) {
        throw new IllegalArgumentException("not a CIDR: " + text);
      }
      return new Cidr(bytes, prefix);
    }

    boolean contains(InetAddress address) {
      byte[] a = address.getAddress();
      if (a.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (a[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (a[full] & mask) == (network[full] & mask);
    }

    @Override
    public String toString() {
      try {
        return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
      } catch (UnknownHostException e) {
        return "?/" + prefix;
      }
    }
  }
}
