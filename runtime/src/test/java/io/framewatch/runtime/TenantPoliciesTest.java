package io.framewatch.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.runtime.TenantPolicies.TenantPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TenantPoliciesTest {
  @Test
  void shouldGiveEveryTenantTheBuiltInLimitsWhenUnset() {
    TenantPolicy p = TenantPolicies.fromEnv(Map.of()).of("acme");
    assertEquals(new TenantPolicy(8, 60, 100L * 1024 * 1024 * 1024, Duration.ZERO), p);
    assertTrue(p.keepsForever());
    assertEquals(TenantPolicies.BUILT_IN, TenantPolicies.parse(null).of("anyone"));
    assertEquals(TenantPolicies.BUILT_IN,
        TenantPolicies.parse(Settings.TENANT_LIMITS.defaultText()).of("anyone"),
        "the documented default is the built-in one");
  }

  @Test
  void shouldTakeKeysANamedEntryLeavesOutFromTheStarEntry() {
    TenantPolicies p = TenantPolicies.parse(
        "acme: streams=20 retention=30d; *: uploads=10 stored=500MiB ; lab: stored=2TB");
    assertEquals(new TenantPolicy(20, 10, 500L << 20, Duration.ofDays(30)), p.of("acme"));
    assertEquals(new TenantPolicy(8, 10, 2_000_000_000_000L, Duration.ZERO), p.of("lab"));
    assertEquals(new TenantPolicy(8, 10, 500L << 20, Duration.ZERO), p.of("other"));
    assertEquals(Set.of("acme", "lab"), p.named());
  }

  @Test
  void shouldReadEveryUnitAndUnlimited() {
    TenantPolicies p = TenantPolicies.parse("a: stored=1KiB retention=12h; b: stored=3GB"
        + " retention=90m; c: stored=4096 retention=3600s; d: streams=unlimited uploads=0"
        + " stored=unlimited; e: stored=1tib");
    assertEquals(1024, p.of("a").storedBytes());
    assertEquals(Duration.ofHours(12), p.of("a").retention());
    assertEquals(3_000_000_000L, p.of("b").storedBytes());
    assertEquals(Duration.ofMinutes(90), p.of("b").retention());
    assertEquals(4096, p.of("c").storedBytes());
    assertEquals(Duration.ofHours(1), p.of("c").retention());
    assertEquals(Integer.MAX_VALUE, p.of("d").streams());
    assertEquals(0, p.of("d").uploadsPerMinute(), "0 uploads: the tenant may only stream");
    assertEquals(Long.MAX_VALUE, p.of("d").storedBytes());
    assertEquals(1L << 40, p.of("e").storedBytes());
  }

  @Test
  void shouldRefuseABadEntryNamingIt() {
    assertBad("acme streams=2", "'acme streams=2' is not TENANT: key=value");
    assertBad("Acme: streams=2", "'Acme: streams=2' is not TENANT: key=value");
    assertBad("acme: streams=-1", "'acme: streams=-1' streams=-1 is not a count >= 0");
    assertBad("acme: uploads=fast", "uploads=fast is not a count");
    assertBad("*: stored=50XB", "'*: stored=50XB' stored=50XB is not a size");
    assertBad("acme: stored=99999999TiB", "stored=99999999TiB is not a size");
    assertBad("acme: retention=30", "'acme: retention=30' retention=30 is not a duration");
    assertBad("acme: retention=1w", "retention=1w is not a duration");
    assertBad("acme: speed=3", "has an unknown key 'speed'");
    assertBad("acme: streams", "'streams' is not key=value");
    assertBad("acme: streams=1 streams=2", "sets streams twice");
    assertBad("acme: streams=1; acme: uploads=2", "'acme: uploads=2' names acme a second time");
  }

  private static void assertBad(String value, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TenantPolicies.fromEnv(Map.of(Settings.TENANT_LIMITS.env(), value)));
    assertTrue(e.getMessage().startsWith("FRAMEWATCH_TENANT_LIMITS: "), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void shouldDescribeBytesForPeople() {
    assertEquals("512 B", TenantPolicies.describeBytes(512));
    assertEquals("1.5 KiB", TenantPolicies.describeBytes(1536));
    assertEquals("100.0 GiB", TenantPolicies.describeBytes(100L << 30));
    assertEquals("unlimited", TenantPolicies.describeBytes(Long.MAX_VALUE));
  }
}
