package dev.imgd.server.source;

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
          new Range("::/128", "unspecified"),
          new Range("::1/128", "loopback"),
          new Range("100::/64", "discard"),
          new Range("fc00::/7", "unique-local"),
          new Range("fe80::/10", "link-local"),
          new Range("fec0::/10", "site-local"),
          new Range("ff00::/8", "multicast"));

  /**
   * IPv6 forms that carry an IPv4 address the packet ends up at: judged by that IPv4 address, so
   * that {@code 64:ff9b::a9fe:a9fe} is the metadata service it is.
   */
  private static final List<Embedding> EMBEDDINGS =
      List.of(
          new Embedding("::ffff:0:0/96", 12, false, "IPv4-mapped"),
          new Embedding("::ffff:0:0:0/96", 12, false, "IPv4-translated"),
          new Embedding("::/96", 12, false, "IPv4-compatible"),
          new Embedding("64:ff9b::/96", 12, false, "NAT64"),
          // RFC 8215 local-use NAT64 in the /96 layout; any other layout is refused below.
          new Embedding("64:ff9b:1::/96", 12, false, "local-use NAT64"),
          new Embedding("2002::/16", 2, false, "6to4"),
          new Embedding("2001::/32", 12, true, "Teredo client"));

  /** Local-use NAT64 in a layout other than /96: where its IPv4 address sits is unknown. */
  private static final Range LOCAL_NAT64 = new Range("64:ff9b:1::/48", "local-use NAT64");

  private final List<Cidr> allowed;

  AddressGuard(List<String> allowedNetworks) {
    allowed = allowedNetworks.stream().map(Cidr::parse).toList();
  }

  /** Why a fetch may not connect to this address, or empty if it may. */
  Optional<String> refusal(InetAddress address) {
    for (Cidr c : allowed) {
      if (c.contains(address)) {
        return Optional.empty();
      }
    }
    for (Range r : REFUSED) {
      if (r.cidr.contains(address)) {
        return Optional.of(r.reason);
      }
    }
    for (Embedding e : EMBEDDINGS) {
      if (e.prefix.contains(address)) {
        return refusal(e.ipv4(address)).map(reason -> reason + " (" + e.name + ")");
      }
    }
    if (LOCAL_NAT64.cidr.contains(address)) {
      return Optional.of(LOCAL_NAT64.reason);
    }
    // Belt and braces: the JDK's own view of special addresses.
    if (address.isLoopbackAddress()
        || address.isAnyLocalAddress()
        || address.isLinkLocalAddress()
        || address.isSiteLocalAddress()
        || address.isMulticastAddress()) {
      return Optional.of("special-purpose");
    }
    return Optional.empty();
  }

  private static InetAddress ipv4(byte[] four) {
    try {
      return InetAddress.getByAddress(four);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // four bytes always make an address
    }
  }

  /**
   * An IPv6 prefix whose addresses carry an IPv4 address at byte {@code at}, with its bits {@code
   * inverted} (as Teredo stores the client's address).
   */
  private record Embedding(Cidr prefix, int at, boolean inverted, String name) {
    Embedding(String prefix, int at, boolean inverted, String name) {
      this(Cidr.parse(prefix, true), at, inverted, name);
    }

    InetAddress ipv4(InetAddress address) {
      byte[] four = Arrays.copyOfRange(address.getAddress(), at, at + 4);
      if (inverted) {
        for (int i = 0; i < 4; i++) {
          four[i] = (byte) ~four[i];
        }
      }
      return AddressGuard.ipv4(four);
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
      return parse(text, false);
    }

    /**
     * Like {@link #parse(String)}; with {@code mappedAsIpv6}, {@code ::ffff:a.b.c.d}, which the JDK
     * reads as IPv4, stays the IPv6 address it is written as.
     */
    static Cidr parse(String text, boolean mappedAsIpv6) {
      String s = text.strip();
      int slash = s.indexOf('/');
      String host = slash < 0 ? s : s.substring(0, slash);
      byte[] bytes;
      try {
        bytes = InetAddress.ofLiteral(host).getAddress(); // a literal only: never asks DNS
        if (mappedAsIpv6 && bytes.length == 4 && host.contains(":")) {
          byte[] mapped = new byte[16];
          mapped[10] = (byte) 0xff;
          mapped[11] = (byte) 0xff;
          System.arraycopy(bytes, 0, mapped, 12, 4);
          bytes = mapped;
        }
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
