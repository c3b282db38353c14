package dev.imgd.server.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * FM-22: a URL from a client cannot make the server reach its own loopback, its private network or
 * a cloud metadata service, directly, through a host name, or through a redirect.
 *
 * <p>Real HTTP on loopback only. Private, link-local and metadata addresses are reached only
 * through literals and an injected resolver, and every connection attempt passes a hook that fails
 * the test if it is for anything but 127.0.0.1: no test ever opens a connection to a non-loopback
 * address, even if the guard were broken.
 */
class SsrfGuardTest {
  private static final long CAP = 1 << 20;

  /** What the injected resolver answers; any other name is unknown. No real DNS is ever asked. */
  private static final Map<String, List<String>> NAMES =
      Map.of(
          "public.example", List.of("127.0.0.1"),
          "loopback.example", List.of("127.0.0.1"),
          "internal.example", List.of("10.0.0.1"),
          "metadata.example", List.of("169.254.169.254"),
          "ula.example", List.of("fd00::1"),
          "mapped.example", List.of("::ffff:10.0.0.1"),
          // One harmless-looking address beside a private one: refused as a whole.
          "mixed.example", List.of("203.0.113.10", "10.0.0.1"));

  private static final List<String> FORBIDDEN_LITERALS =
      List.of(
          "10.0.0.1",
          "172.16.0.1",
          "192.168.1.1",
          "169.254.169.254",
          "100.64.0.1",
          "100.100.100.200",
          "0.0.0.0",
          "224.0.0.1",
          "[fd00::1]",
          "[fd00:ec2::254]",
          "[fe80::1]",
          "[::]",
          "[::ffff:10.0.0.1]",
          "[::ffff:169.254.169.254]",
          "[64:ff9b::a00:1]",
          "[2002:a00:1::]",
          "[64:ff9b:1::a9fe:a9fe]",
          "[::ffff:0:a9fe:a9fe]",
          "[2001:0:4136:e378:8000:63bf:5601:5601]");

  private static TestOrigin origin;
  private static final List<InetSocketAddress> dialled = new CopyOnWriteArrayList<>();
  private static final List<InetSocketAddress> violations = new CopyOnWriteArrayList<>();

  /** The connector hook: records every attempt, and stops and fails any beyond loopback. */
  private static final Consumer<InetSocketAddress> LOOPBACK_ONLY =
      address -> {
        dialled.add(address);
        if (!address.getAddress().isLoopbackAddress()) {
          violations.add(address);
          throw new IllegalStateException("a test tried to connect to " + address);
        }
      };

  private static final HostResolver RESOLVER =
      host -> {
        List<String> answer = NAMES.get(host);
        if (answer == null) {
          throw new UnknownHostException(host);
        }
        return answer.stream().map(InetAddress::ofLiteral).toList();
      };

  @BeforeAll
  static void start() throws Exception {
    origin = new TestOrigin();
  }

  @AfterAll
  static void stop() {
    origin.close();
  }

  @BeforeEach
  void clear() {
    dialled.clear();
  }

  @AfterEach
  void neverConnectedBeyondLoopback() {
    assertThat(violations).as("connection attempts to non-loopback addresses").isEmpty();
  }

  private static Sources guarded() {
    return Sources.create(SourceSettings.defaults(), RESOLVER, LOOPBACK_ONLY);
  }

  /** The guard as tests reach their origin: 127.0.0.1/32 allowed, nothing else. */
  private static Sources allowingOrigin() {
    return Sources.create(
        SourceSettings.builder().allowedNetworks(List.of("127.0.0.1/32")).build(),
        RESOLVER,
        LOOPBACK_ONLY);
  }

  private static void assertForbidden(Sources sources, String url) {
    assertThatThrownBy(
            () -> sources.fetch(URI.create(url), Instant.now().plusSeconds(5), CAP),
            "fetch %s",
            url)
        .isInstanceOfSatisfying(
            ImgdException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_FORBIDDEN);
              assertThat(e.getMessage()).doesNotContainIgnoringCase("10.0.0.1");
            });
  }

  @Test
  void loopbackIsRefusedByDefault() {
    int port = origin.port();
    try (Sources sources = guarded()) {
      for (String host :
          List.of(
              "127.0.0.1",
              "127.0.0.2",
              "[::1]",
              "[::ffff:127.0.0.1]",
              "localhost",
              "LOCALHOST.",
              "a.localhost")) {
        assertForbidden(sources, "http://" + host + ":" + port + "/image");
      }
      assertForbidden(sources, "http://loopback.example:" + port + "/image");
    }
    assertThat(dialled).as("refused before any connection").isEmpty();
  }

  @ParameterizedTest
  @FieldSource("FORBIDDEN_LITERALS")
  void privateLinkLocalAndMetadataLiteralsAreRefused(String host) {
    try (Sources sources = allowingOrigin()) {
      assertForbidden(sources, "http://" + host + "/latest/meta-data/");
      assertForbidden(sources, "http://" + host + ":" + origin.port() + "/image");
      assertThatThrownBy(() -> sources.identity(URI.create("http://" + host + "/x")))
          .isInstanceOfSatisfying(
              ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_FORBIDDEN));
    }
    assertThat(dialled).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "internal.example",
        "metadata.example",
        "ula.example",
        "mapped.example",
        "mixed.example"
      })
  void namesResolvingToForbiddenAddressesAreRefused(String host) {
    try (Sources sources = allowingOrigin()) {
      assertForbidden(sources, "http://" + host + "/image");
      assertForbidden(sources, "http://" + host + ":" + origin.port() + "/image");
    }
    assertThat(dialled).isEmpty();
  }

  @Test
  void theInjectedResolverIsWhatIsUsed() {
    // public.example exists only in the injected resolver, which maps it to the origin.
    try (Sources sources = allowingOrigin()) {
      byte[] body =
          sources
              .fetch(
                  URI.create("http://public.example:" + origin.port() + "/image"),
                  Instant.now().plusSeconds(5),
                  CAP)
              .bytes();
      assertThat(body).isEqualTo(TestOrigin.IMAGE);
    }
    assertThat(dialled).containsExactly(new InetSocketAddress("127.0.0.1", origin.port()));
  }

  @Test
  void unknownNamesFailWithoutConnecting() {
    try (Sources sources = allowingOrigin()) {
      assertThatThrownBy(() ->
              sources.fetch(
                  URI.create("http://nowhere.example/image"), Instant.now().plusSeconds(5), CAP))
          .isInstanceOfSatisfying(
              ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_FAILED));
    }
    assertThat(dialled).isEmpty();
  }

  @Test
  void redirectsToForbiddenAddressesAreRefused() {
    int port = origin.port();
    try (Sources sources = allowingOrigin()) {
      for (String target :
          List.of(
              "http://127.0.0.2:" + port + "/image",
              "http://[::1]:" + port + "/image",
              "http://localhost:" + port + "/image",
              "http://169.254.169.254/latest/meta-data/",
              "http://[fd00::1]/",
              "http://internal.example/",
              "http://metadata.example/latest/meta-data/")) {
        assertForbidden(
            sources, origin.url() + "/to?url=" + URLEncoder.encode(target, StandardCharsets.UTF_8));
      }
    }
    // Only the allowed origin itself was ever dialled.
    assertThat(dialled)
        .allSatisfy(a -> assertThat(a).isEqualTo(new InetSocketAddress("127.0.0.1", port)));
  }

  /**
   * Finding (issue 15): IPv6 forms that embed an IPv4 address passed the guard; each is judged by
   * the IPv4 inside (FM-22).
   */
  @Test
  void ipv6FormsEmbeddingAnIpv4AddressAreJudgedByIt() throws Exception {
    AddressGuard guard = new AddressGuard(List.of());
    Map<String, String> inside =
        Map.of(
            "169.254.169.254", "cloud metadata",
            "169.254.1.1", "link-local",
            "127.0.0.1", "loopback",
            "10.0.0.1", "private",
            "192.168.1.1", "private");
    for (var ipv4 : inside.entrySet()) {
      byte[] b = InetAddress.ofLiteral(ipv4.getKey()).getAddress();
      String hi = Integer.toHexString((b[0] & 0xff) << 8 | (b[1] & 0xff));
      String lo = Integer.toHexString((b[2] & 0xff) << 8 | (b[3] & 0xff));
      String teredoHi = Integer.toHexString(~((b[0] & 0xff) << 8 | (b[1] & 0xff)) & 0xffff);
      String teredoLo = Integer.toHexString(~((b[2] & 0xff) << 8 | (b[3] & 0xff)) & 0xffff);
      Map<String, String> forms =
          Map.of(
              "64:ff9b::" + hi + ":" + lo, "NAT64",
              "64:ff9b:1::" + hi + ":" + lo, "local-use NAT64",
              "::ffff:0:" + hi + ":" + lo, "IPv4-translated",
              "::" + hi + ":" + lo, "IPv4-compatible",
              "2002:" + hi + ":" + lo + "::1", "6to4",
              "2001:0:4136:e378:8000:63bf:" + teredoHi + ":" + teredoLo, "Teredo client");
      for (var form : forms.entrySet()) {
        assertThat(guard.refusal(InetAddress.ofLiteral(form.getKey())))
            .as(form.getKey())
            .contains(ipv4.getValue() + " (" + form.getValue() + ")");
      }
      // IPv4-mapped: the JDK turns the literal into IPv4, so build the IPv6 form by its bytes.
      byte[] mapped = new byte[16];
      mapped[10] = (byte) 0xff;
      mapped[11] = (byte) 0xff;
      System.arraycopy(b, 0, mapped, 12, 4);
      assertThat(guard.refusal(Inet6Address.getByAddress(null, mapped, -1)))
          .as("::ffff:" + ipv4.getKey())
          .isPresent();
    }
    // The same forms around a public IPv4 address stay open; other local-use NAT64 layouts do not.
    for (String open :
        List.of(
            "64:ff9b::808:808",
            "64:ff9b:1::808:808",
            "2002:808:808::1",
            "2001:0:4136:e378:8000:63bf:f7f7:f7f7")) {
      assertThat(guard.refusal(InetAddress.ofLiteral(open))).as(open).isEmpty();
    }
    assertThat(guard.refusal(InetAddress.ofLiteral("64:ff9b:1:a9fe:a9:fe00::")))
        .contains("local-use NAT64");
  }

  @Test
  void guardTable() {
    AddressGuard guard = new AddressGuard(List.of());
    for (String literal : FORBIDDEN_LITERALS) {
      String bare = literal.replace("[", "").replace("]", "");
      assertThat(guard.refusal(InetAddress.ofLiteral(bare))).as(bare).isPresent();
    }
    for (String open : List.of("8.8.8.8", "1.1.1.1", "203.0.113.10", "2606:4700:4700::1111")) {
      assertThat(guard.refusal(InetAddress.ofLiteral(open))).as(open).isEmpty();
    }
    assertThat(guard.refusal(InetAddress.ofLiteral("169.254.169.254"))).contains("cloud metadata");
    assertThat(guard.refusal(InetAddress.ofLiteral("::ffff:127.0.0.1"))).contains("loopback");

    AddressGuard allowing = new AddressGuard(List.of("127.0.0.1/32", "10.1.0.0/16", "fd12::/64"));
    assertThat(allowing.refusal(InetAddress.ofLiteral("127.0.0.1"))).isEmpty();
    assertThat(allowing.refusal(InetAddress.ofLiteral("::ffff:127.0.0.1"))).isEmpty();
    assertThat(allowing.refusal(InetAddress.ofLiteral("127.0.0.2"))).isPresent();
    assertThat(allowing.refusal(InetAddress.ofLiteral("10.1.200.3"))).isEmpty();
    assertThat(allowing.refusal(InetAddress.ofLiteral("10.2.0.1"))).isPresent();
    assertThat(allowing.refusal(InetAddress.ofLiteral("fd12::9"))).isEmpty();
    assertThat(allowing.refusal(InetAddress.ofLiteral("fd13::9"))).isPresent();
    // Written in its IPv4-mapped form, an allowed address is still the IPv4 address.
    assertThat(
            new AddressGuard(List.of("::ffff:10.0.0.1")).refusal(InetAddress.ofLiteral("10.0.0.1")))
        .isEmpty();
  }

  @Test
  void allowedNetworksMustBeLiteralCidrs() {
    for (String bad :
        List.of("localhost", "example.com/8", "10.0.0.0/33", "::1/129", "10.0.0.0/x")) {
      assertThatThrownBy(() -> SourceSettings.builder().allowedNetworks(List.of(bad)).build())
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
