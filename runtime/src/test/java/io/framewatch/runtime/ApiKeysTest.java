package io.framewatch.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {
  @Test
  void aCreatedKeyAuthenticatesAsItsTenantFromItsEntryAlone() {
    ApiKeys.Created c = ApiKeys.create("acme", false);
    assertTrue(c.key().startsWith("fw_") && c.key().length() == 46, c.key());
    assertFalse(c.entry().contains(c.key()), "the entry holds the hash, never the key");
    ApiKeys keys = ApiKeys.parse(c.entry());
    ApiKeys.Principal p = keys.authenticate(c.key()).orElseThrow();
    assertEquals("acme", p.tenant());
    assertFalse(p.admin());
    assertEquals(c.key().substring(0, 12), p.keyId());
  }

  @Test
  void unknownMalformedAndMissingKeysAuthenticateNobody() {
    ApiKeys keys = ApiKeys.parse(ApiKeys.create("acme", false).entry());
    assertTrue(keys.authenticate(ApiKeys.create("acme", false).key()).isEmpty());
    assertTrue(keys.authenticate("fw_short").isEmpty());
    assertTrue(keys.authenticate("").isEmpty());
    assertTrue(keys.authenticate(null).isEmpty());
  }

  @Test
  void entriesComeFromTheVariableAndTheFileWithCommentsAndAdminFlags(@TempDir Path dir)
      throws Exception {
    ApiKeys.Created a = ApiKeys.create("acme", false);
    ApiKeys.Created b = ApiKeys.create("ops", true);
    ApiKeys.Created c = ApiKeys.create("beta", false);
    Path file = dir.resolve("keys");
    Files.writeString(file, "# platform keys, one per line\n" + b.entry()
        + "  # the admin, ops\n\n" + c.entry()
        + "\n");
    ApiKeys keys = ApiKeys.fromEnv(Map.of("FRAMEWATCH_API_KEYS", a.entry(),
        "FRAMEWATCH_API_KEY_FILE", file.toString()));
    assertEquals(List.of("acme", "ops", "beta"), keys.tenants());
    assertTrue(keys.authenticate(b.key()).orElseThrow().admin());
    assertEquals("beta", keys.authenticate(c.key()).orElseThrow().tenant());
  }

  @Test
  void aMalformedEntryIsRefusedNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ApiKeys.parse("Acme:abc"));
    assertTrue(e.getMessage().contains("'Acme:abc'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ApiKeys.create("no spaces", false));
  }

  @Test
  void noConfiguredKeysIsEmpty() {
    assertTrue(ApiKeys.fromEnv(Map.of()).isEmpty());
  }
}
