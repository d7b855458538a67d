package io.framewatch.runtime;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which addresses the server may connect to on a caller's behalf (stream URLs today, URL intake
 * next), against server-side request forgery. A host is resolved and every address it resolves
 * to must be allowed:
 *
 * <ul>
 *   <li>always refused: loopback (127.0.0.0/8, ::1), link-local (169.254.0.0/16 with the cloud
 *       metadata address 169.254.169.254, fe80::/10), multicast (224.0.0.0/4, ff00::/8),
 *       unspecified (0.0.0.0/8, ::) and reserved (240.0.0.0/4 with the broadcast address);
 *   <li>refused unless allowed: private (10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10) and
 *       shared CGNAT space (100.64/10);
 *   <li>the rest (public addresses) is allowed.
 * </ul>
 *
 * <p>{@link Settings#SOURCE_ALLOW} lists CIDRs and host names, comma-separated. A CIDR allows every
 * address inside it, whatever its class, so {@code 127.0.0.0/8} allows loopback sources (tests,
 * benches) and {@code 0.0.0.0/0,::/0} turns the guard off. A host name allows the private and
 * CGNAT addresses that name resolves to (a camera on a private network); loopback, link-local,
 * multicast, unspecified and reserved addresses need a CIDR that names them.
 *
 * <p>IPv6 addresses that embed an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64 64:ff9b::/96,
 * 6to4 2002::/16) are judged by the embedded address.
 *
 * <p>The check is only sound when the caller then connects to the checked address itself
 * ({@link Decision#address()}), not to the name: a name resolved again may answer differently
 * (DNS rebinding).
 */
public final class OutboundGuard {
  /** Class of an address, as refusals name it. */
  public enum AddressClass {
    /** 127.0.0.0/8, ::1. */
    LOOPBACK("loopback"),
    /** 169.254.0.0/16 (cloud metadata 169.254.169.254), fe80::/10. */
    LINK_LOCAL("link-local"),
    /** 224.0.0.0/4, ff00::/8. */
    MULTICAST("multicast"),
    /** 0.0.0.0/8, ::. */
    UNSPECIFIED("unspecified"),
    /** 240.0.0.0/4, 255.255.255.255. */
    RESERVED("reserved"),
    /** 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10. */
    PRIVATE("private"),
    /** 100.64.0.0/10 (carrier-grade NAT). */
    SHARED("shared (CGNAT)"),
    /** Everything else. */
    PUBLIC("public");

    private final String label;

    AddressClass(String label) {
      this.label = label;
    }

    /** How refusals name it. */
    public String label() {
      return label;
    }

    /** Whether a host-name entry of the allow-list can allow it (only private kinds). */
    boolean allowableByHost() {
      return this == PRIVATE || this == SHARED;
    }
  }

  /** Resolves a host name to its addresses (a seam for tests). */
  @FunctionalInterface
  public interface Resolver {
    /** All addresses of {@code host}. */
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  /** Thrown when a destination is refused; the message names the host, address and its class. */
  public static final class Refused extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final transient AddressClass addressClass;

    Refused(String message, AddressClass addressClass) {
      super(message);
      this.addressClass = addressClass;
    }

    /** The class of the refused address; null when the host did not resolve. */
    public AddressClass addressClass() {
      return addressClass;
    }
  }

  /**
   * An allowed destination.
   *
   * @param host the host as given
   * @param address the checked address to connect to (the first the host resolved to)
   * @param addressClass its class
   */
  public record Decision(String host, InetAddress address, AddressClass addressClass) {
    /** The address as a URL host: IPv6 in brackets. */
    public String urlHost() {
      String a = address.getHostAddress();
      int zone = a.indexOf('%');
      if (zone >= 0) {
        a = a.substring(0, zone);
      }
      return address instanceof Inet6Address ? "[" + a + "]" : a;
    }
  }

  private record Cidr(byte[] net, int bits, String text) {
    boolean contains(byte[] a) {
      if (a.length != net.length) {
        return false;
      }
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (a[i] != net[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (a[full] & mask) == (net[full] & mask);
    }
  }

  private static final Resolver DNS = InetAddress::getAllByName;

  private final List<Cidr> cidrs;
  private final Set<String> hosts;
  private final Resolver resolver;
  private final String spec;

  private OutboundGuard(List<Cidr> cidrs, Set<String> hosts, Resolver resolver, String spec) {
    this.cidrs = List.copyOf(cidrs);
    this.hosts = Set.copyOf(hosts);
    this.resolver = resolver;
    this.spec = spec;
  }

  /** The guard {@link Settings#SOURCE_ALLOW} configures in {@code env}. */
  public static OutboundGuard fromEnv(Map<String, String> env) {
    return fromEnv(env, Settings.SOURCE_ALLOW);
  }

  /**
   * The guard an allow-list setting ({@link Settings#SOURCE_ALLOW},
   * {@link Settings#WEBHOOK_ALLOW}) configures in {@code env}.
   *
   * @throws IllegalArgumentException naming the setting on a bad entry
   */
  public static OutboundGuard fromEnv(Map<String, String> env, Setting<String> allowList) {
    try {
      return of(allowList.read(env), DNS, "");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(allowList.env() + ": " + e.getMessage(), e);
    }
  }

  /** A guard with an allow-list of CIDRs and host names ({@code null} or blank: none). */
  public static OutboundGuard of(String allow) {
    return of(allow, DNS);
  }

  /**
   * A guard with an allow-list and its own resolver.
   *
   * @throws IllegalArgumentException naming {@link Settings#SOURCE_ALLOW} on a bad entry
   */
  public static OutboundGuard of(String allow, Resolver resolver) {
    return of(allow, resolver, Settings.SOURCE_ALLOW.env() + ": ");
  }

  private static OutboundGuard of(String allow, Resolver resolver, String errorPrefix) {
    List<Cidr> cidrs = new ArrayList<>();
    Set<String> hosts = new HashSet<>();
    String spec = allow == null ? "" : allow.strip();
    for (String raw : spec.split("[,\\s]+")) {
      String entry = raw.strip();
      if (entry.isEmpty()) {
        continue;
      }
      try {
        Cidr c = parseCidr(entry);
        if (c != null) {
          cidrs.add(c);
        } else {
          hosts.add(normalizeHost(entry));
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(errorPrefix + e.getMessage());
      }
    }
    return new OutboundGuard(cidrs, hosts, resolver, spec);
  }

  /** The allow-list as configured. */
  public String allowList() {
    return spec;
  }

  /**
   * Resolves {@code host} and checks every address it resolves to.
   *
   * @return the checked address to connect to
   * @throws Refused naming the host, the address and its class when one is refused, or when the
   *     host does not resolve
   */
  public Decision check(String host) {
    String h = normalizeHost(host);
    InetAddress[] all;
    try {
      all = literal(h) != null ? new InetAddress[] {literal(h)} : resolver.resolve(h);
    } catch (UnknownHostException e) {
      throw new Refused("source host '" + host + "' does not resolve", null);
    }
    if (all == null || all.length == 0) {
      throw new Refused("source host '" + host + "' does not resolve", null);
    }
    Decision first = null;
    for (InetAddress a : all) {
      AddressClass c = classify(a);
      if (!allowed(h, a, c)) {
        String via = literal(h) != null ? "" : " (" + host + " resolves to it)";
        throw new Refused("source address " + a.getHostAddress() + via + " is " + c.label()
            + (c.allowableByHost()
                ? "; allow it with " + Settings.SOURCE_ALLOW.env() + " (CIDR or host)"
                : "; refused unless " + Settings.SOURCE_ALLOW.env() + " names a CIDR containing"
                    + " it"), c);
      }
      if (first == null) {
        first = new Decision(host, a, c);
      }
    }
    return first;
  }

  private boolean allowed(String host, InetAddress a, AddressClass c) {
    if (c == AddressClass.PUBLIC) {
      return true;
    }
    byte[] raw = a.getAddress();
    byte[] v4 = embeddedV4(a);
    for (Cidr cidr : cidrs) {
      if (cidr.contains(raw) || (v4 != null && cidr.contains(v4))) {
        return true;
      }
    }
    return c.allowableByHost() && hosts.contains(host);
  }

  /** The class of an address (embedded IPv4 addresses judged as such). */
  public static AddressClass classify(InetAddress a) {
    byte[] v4 = embeddedV4(a);
    if (v4 != null) {
      return classify4(v4);
    }
    byte[] b = a.getAddress();
    boolean zero = true;
    for (int i = 0; i < 15; i++) {
      zero &= b[i] == 0;
    }
    if (zero && b[15] == 0) {
      return AddressClass.UNSPECIFIED;
    }
    if (zero && b[15] == 1) {
      return AddressClass.LOOPBACK;
    }
    int b0 = b[0] & 0xff;
    int b1 = b[1] & 0xff;
    if (b0 == 0xff) {
      return AddressClass.MULTICAST;
    }
    if (b0 == 0xfe && (b1 & 0xc0) == 0x80) {
      return AddressClass.LINK_LOCAL;
    }
    if (b0 == 0xfe && (b1 & 0xc0) == 0xc0) {
      return AddressClass.PRIVATE; // deprecated site-local fec0::/10
    }
    if ((b0 & 0xfe) == 0xfc) {
      return AddressClass.PRIVATE; // unique local fc00::/7
    }
    return AddressClass.PUBLIC;
  }

  private static AddressClass classify4(byte[] b) {
    int b0 = b[0] & 0xff;
    int b1 = b[1] & 0xff;
    if (b0 == 0) {
      return AddressClass.UNSPECIFIED;
    }
    if (b0 == 127) {
      return AddressClass.LOOPBACK;
    }
    if (b0 == 169 && b1 == 254) {
      return AddressClass.LINK_LOCAL;
    }
    if (b0 >= 224 && b0 <= 239) {
      return AddressClass.MULTICAST;
    }
    if (b0 >= 240) {
      return AddressClass.RESERVED;
    }
    if (b0 == 10 || (b0 == 172 && (b1 & 0xf0) == 16) || (b0 == 192 && b1 == 168)) {
      return AddressClass.PRIVATE;
    }
    if (b0 == 100 && (b1 & 0xc0) == 64) {
      return AddressClass.SHARED;
    }
    return AddressClass.PUBLIC;
  }

  /** The IPv4 address an address is or embeds; null for a plain IPv6 address. */
  private static byte[] embeddedV4(InetAddress a) {
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      return b;
    }
    boolean first10Zero = true;
    for (int i = 0; i < 10; i++) {
      first10Zero &= b[i] == 0;
    }
    if (first10Zero && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
      return new byte[] {b[12], b[13], b[14], b[15]}; // ::ffff:a.b.c.d
    }
    boolean first12Zero = first10Zero && b[10] == 0 && b[11] == 0;
    boolean lastIsSmall = b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] & 0xff) <= 1;
    if (first12Zero && !lastIsSmall) {
      return new byte[] {b[12], b[13], b[14], b[15]}; // ::a.b.c.d (deprecated compatible)
    }
    if ((b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff
        && (b[3] & 0xff) == 0x9b) {
      boolean mid = true;
      for (int i = 4; i < 12; i++) {
        mid &= b[i] == 0;
      }
      if (mid) {
        return new byte[] {b[12], b[13], b[14], b[15]}; // NAT64 64:ff9b::/96
      }
    }
    if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
      return new byte[] {b[2], b[3], b[4], b[5]}; // 6to4 2002::/16
    }
    return null;
  }

  private static String normalizeHost(String host) {
    String h = host.strip().toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    return h;
  }

  /** The address of an IP literal (dotted IPv4 or IPv6); null for a name. Never does DNS. */
  private static InetAddress literal(String h) {
    if (h.indexOf(':') >= 0 || h.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      try {
        return InetAddress.getByName(h); // a literal: parsed, not looked up
      } catch (UnknownHostException e) {
        return null;
      }
    }
    return null;
  }

  private static Cidr parseCidr(String entry) {
    int slash = entry.indexOf('/');
    String ip = slash < 0 ? entry : entry.substring(0, slash);
    InetAddress a = literal(normalizeHost(ip));
    if (a == null) {
      if (slash >= 0) {
        throw new IllegalArgumentException("'" + entry + "' is not a CIDR");
      }
      return null; // a host name
    }
    byte[] net = a.getAddress();
    int bits;
    try {
      bits = slash < 0 ? net.length * 8 : Integer.parseInt(entry.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + entry + "' has a bad prefix length");
    }
    if (bits < 0 || bits > net.length * 8) {
      throw new IllegalArgumentException("'" + entry + "' has a bad prefix length");
    }
    return new Cidr(net, bits, entry);
  }

  @Override
  public String toString() {
    return "OutboundGuard[allow=" + spec + "]";
  }
}
