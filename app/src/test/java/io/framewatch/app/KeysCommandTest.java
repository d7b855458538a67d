package io.framewatch.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.runtime.ApiKeys;
import io.framewatch.runtime.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code framewatch keys create} prints a key once with the entry that configures it, writes only
 * the entry to a key file the API reads back, and refuses bad input in one line with status 2.
 */
class KeysCommandTest {
  private static final Pattern KEY = Pattern.compile("fw_[A-Za-z0-9_-]{43}");

  @TempDir
  Path dir;

  private static String key(CliRun r) {
    Matcher m = KEY.matcher(r.out());
    assertTrue(m.find(), r.out());
    String key = m.group();
    assertFalse(m.find(), "the key is printed once: " + r.out());
    return key;
  }

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @Test
  void shouldPrintAKeyOnceWithTheEntryThatAuthenticatesItAsTheTenant() {
    CliRun r = run("keys", "create", "--tenant", "acme");
    assertEquals(0, r.status(), r.err());
    String key = key(r);
    Matcher entry = Pattern.compile("entry  (\\S+)").matcher(r.out());
    assertTrue(entry.find(), r.out());
    ApiKeys.Principal p = ApiKeys.parse(entry.group(1)).authenticate(key).orElseThrow();
    assertEquals("acme", p.tenant());
    assertFalse(p.admin());
    assertTrue(r.out().contains("not stored anywhere and cannot be shown again"), r.out());
  }

  @Test
  void shouldAppendOnlyTheEntryToAnOwnerOnlyKeyFileTheApiReads() throws Exception {
    Path file = dir.resolve("keys.txt");
    CliRun first = run("keys", "create", "--tenant", "acme", "--file", file.toString());
    assertEquals(0, first.status(), first.err());
    if (Files.getFileAttributeView(file, PosixFileAttributeView.class) != null) {
      assertEquals("rw-------", PosixFilePermissions.toString(
          Files.getPosixFilePermissions(file)));
    }
    Files.writeString(file, Files.readString(file) + "# a comment without a newline");
    CliRun second = run("keys", "create", "--tenant", "ops", "--admin", "--file", file.toString());
    assertEquals(0, second.status(), second.err());
    assertTrue(second.out().contains("appended to " + file), second.out());

    String text = Files.readString(file);
    assertFalse(text.contains(key(first)) || text.contains(key(second)),
        "the file holds hashes, never keys: " + text);
    ApiKeys keys = ApiKeys.fromEnv(Map.of(Settings.API_KEY_FILE.env(), file.toString()));
    assertEquals("acme", keys.authenticate(key(first)).orElseThrow().tenant());
    ApiKeys.Principal admin = keys.authenticate(key(second)).orElseThrow();
    assertEquals("ops", admin.tenant());
    assertTrue(admin.admin());
  }

  private static void assertRefused(CliRun r, String reason) {
    r.assertRefused("framewatch keys create: " + reason);
    assertFalse(KEY.matcher(r.out()).find(), "no key printed: " + r.out());
  }

  @Test
  void shouldRefuseAMissingOrBadTenantAndAnUnwritableFileWithoutPrintingAKey() {
    assertRefused(run("keys", "create"), "--tenant is required");
    assertRefused(run("keys", "create", "--tenant", "Acme Corp"), "tenant 'Acme Corp' must match");
    Path nowhere = dir.resolve("missing-dir").resolve("keys.txt");
    assertRefused(run("keys", "create", "--tenant", "acme", "--file", nowhere.toString()),
        "cannot write " + nowhere);
    assertFalse(Files.exists(nowhere));
  }
}
