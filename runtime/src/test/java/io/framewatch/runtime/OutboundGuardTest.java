package io.framewatch.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.runtime.OutboundGuard.AddressClass;
import io.framewatch.runtime.OutboundGuard.Refused;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OutboundGuardTest {
  /** Names resolve through this map, never through DNS. */
  private static final Map<String, String[]> NAMES = Map.of(
      "cam.lan", new String[] {"192.168.1.20"},
      "evil.example", new String[] {"93.184.216.34", "169.254.169.254"},
      "metadata.example", new String[] {"169.254.169.254"},
      "public.example", new String[] {"93.184.216.34"},
      "v6cam.lan", new String[] {"fd12:3456::7"});

  private static InetAddress[] resolve(String host) throws UnknownHostException {
    String[] ips = NAMES.get(host);
    if (ips == null) {
      throw new UnknownHostException(host);
    }
    InetAddress[] out = new InetAddress[ips.length];
    for (int i = 0; i < ips.length; i++) {
      out[i] = InetAddress.getByName(ips[i]);
    }
    return out;
  }

  private static OutboundGuard guard(String allow) {
    return OutboundGuard.of(allow, OutboundGuardTest::resolve);
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
      "127.0.0.1, LOOPBACK", "127.8.9.10, LOOPBACK", "::1, LOOPBACK", "[::1], LOOPBACK",
      "::ffff:127.0.0.1, LOOPBACK", "::127.0.0.1, LOOPBACK", "2002:7f00:1::1, LOOPBACK",
      "64:ff9b::7f00:1, LOOPBACK",
      "169.254.169.254, LINK_LOCAL", "169.254.0.1, LINK_LOCAL", "fe80::1, LINK_LOCAL",
      "febf::1, LINK_LOCAL", "::ffff:169.254.169.254, LINK_LOCAL",
      "224.0.0.1, MULTICAST", "239.255.255.250, MULTICAST", "ff02::1, MULTICAST",
      "ff05::2, MULTICAST",
      "0.0.0.0, UNSPECIFIED", "0.1.2.3, UNSPECIFIED", "::, UNSPECIFIED",
      "255.255.255.255, RESERVED", "240.0.0.1, RESERVED",
      "10.1.2.3, PRIVATE", "172.16.0.1, PRIVATE", "172.31.255.254, PRIVATE",
      "192.168.0.10, PRIVATE", "fc00::1, PRIVATE", "fd00::abcd, PRIVATE",
      "100.64.0.1, SHARED", "100.127.255.254, SHARED"})
  void shouldRefuseEveryNonPublicClassByDefaultAndNameIt(String ip, AddressClass cls) {
    Refused r = assertThrows(Refused.class, () -> guard(null).check(ip));
    assertEquals(cls, r.addressClass(), r.getMessage());
    assertTrue(r.getMessage().contains(" is " + cls.label()), r.getMessage());
  }

  @ParameterizedTest
  @CsvSource({"8.8.8.8", "172.32.0.1", "172.15.255.255", "100.128.0.1", "192.169.0.1",
      "2001:4860:4860::8888", "public.example"})
  void shouldAllowPublicAddresses(String host) {
    assertEquals(AddressClass.PUBLIC, guard(null).check(host).addressClass());
  }

  @Test
  void shouldRefuseNamesThatResolveToRefusedAddresses() {
    Refused local = assertThrows(Refused.class, () -> OutboundGuard.of(null).check("localhost"));
    assertEquals(AddressClass.LOOPBACK, local.addressClass());
    assertTrue(local.getMessage().contains("localhost resolves to it"), local.getMessage());
    Refused meta = assertThrows(Refused.class, () -> guard(null).check("metadata.example"));
    assertEquals(AddressClass.LINK_LOCAL, meta.addressClass());
    assertTrue(meta.getMessage().contains("169.254.169.254"), meta.getMessage());
    // one bad address among good ones refuses the name: the connect could pick either
    assertEquals(AddressClass.LINK_LOCAL,
        assertThrows(Refused.class, () -> guard(null).check("evil.example")).addressClass());
    assertEquals(AddressClass.PRIVATE,
        assertThrows(Refused.class, () -> guard(null).check("cam.lan")).addressClass());
    assertEquals(null,
        assertThrows(Refused.class, () -> guard(null).check("nowhere.invalid")).addressClass());
  }

  @Test
  void shouldAllowWhatACidrContainsWhateverItsClass() {
    OutboundGuard g = guard("10.0.0.0/8, 127.0.0.0/8,::1 ,fd00::/8,169.254.169.254/32");
    assertEquals(AddressClass.PRIVATE, g.check("10.9.8.7").addressClass());
    assertEquals(AddressClass.LOOPBACK, g.check("127.0.0.1").addressClass());
    assertEquals(AddressClass.LOOPBACK, g.check("::ffff:127.0.0.1").addressClass());
    assertEquals(AddressClass.LOOPBACK, g.check("::1").addressClass());
    assertEquals(AddressClass.PRIVATE, g.check("v6cam.lan").addressClass());
    assertEquals(AddressClass.LINK_LOCAL, g.check("metadata.example").addressClass());
    assertThrows(Refused.class, () -> g.check("192.168.1.20"));
    assertThrows(Refused.class, () -> g.check("169.254.169.253"));
  }

  @Test
  void shouldAllowPrivateAddressesOfANamedHostButNeverLoopbackOrLinkLocal() {
    OutboundGuard g = guard("cam.lan,metadata.example");
    assertEquals("192.168.1.20", g.check("cam.lan").address().getHostAddress());
    assertEquals("192.168.1.20", g.check("CAM.LAN.").address().getHostAddress());
    assertEquals(AddressClass.LINK_LOCAL,
        assertThrows(Refused.class, () -> g.check("metadata.example")).addressClass());
    // the name is allowed, not its address: the same address by another name is refused
    assertThrows(Refused.class, () -> g.check("192.168.1.20"));
  }

  @Test
  void shouldGiveTheCheckedAddressAsAUrlHost() {
    OutboundGuard g = guard("::1,127.0.0.0/8");
    assertEquals("[0:0:0:0:0:0:0:1]", g.check("[::1]").urlHost());
    assertEquals("127.0.0.1", g.check("127.0.0.1").urlHost());
    assertEquals("93.184.216.34", guard(null).check("public.example").urlHost());
  }

  @Test
  void shouldRefuseABadAllowListNamingTheVariable() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OutboundGuard.of("10.0.0.0/33"));
    assertTrue(e.getMessage().startsWith("FRAMEWATCH_SOURCE_ALLOW"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> OutboundGuard.of("cam.lan/8"));
    assertEquals("10.0.0.0/8", OutboundGuard.fromEnv(
        Map.of("FRAMEWATCH_SOURCE_ALLOW", "10.0.0.0/8")).allowList());
  }
}
