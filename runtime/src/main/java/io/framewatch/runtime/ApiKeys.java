package io.framewatch.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The API keys the API accepts, known only by their SHA-256 hashes. A key is {@code fw_} and 43
 * base64url characters (256 random bits), printed once by {@code framewatch keys create}; the
 * configuration holds entries {@code TENANT:SHA256HEX} or {@code TENANT:SHA256HEX:admin}, comma- or
 * line-separated, from {@link Settings#API_KEYS} and the file {@link Settings#API_KEY_FILE}
 * ({@code #} starts a comment there).
 *
 * <p>Lookup is by hash: the hash of a 256-bit random secret reveals nothing about other keys, so a
 * map lookup leaks nothing a caller can use.
 */
public final class ApiKeys {
  /** Tenant names: lower-case letters, digits, {@code -} and {@code _}, up to 63 characters. */
  public static final Pattern TENANT = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
  private static final Pattern KEY = Pattern.compile("fw_[A-Za-z0-9_-]{43}");
  private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * Who a key belongs to.
   *
   * @param tenant the tenant every resource the key creates belongs to
   * @param admin whether the key may also read every tenant's usage
   * @param keyId a non-secret name of the key (its first 12 characters), for logs and audit records
   */
  public record Principal(String tenant, boolean admin, String keyId) {}

  /**
   * A key just made, with its configuration entry.
   *
   * @param key the secret, shown once
   * @param entry the line to add to the key file ({@code TENANT:SHA256HEX[:admin]})
   */
  public record Created(String key, String entry) {}

  private record Entry(String tenant, boolean admin) {}

  private final Map<String, Entry> byHash;

  private ApiKeys(Map<String, Entry> byHash) {
    this.byHash = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byHash));
  }

  /** Keys from entries (comma- or line-separated; blank lines and {@code #} comments skipped). */
  public static ApiKeys parse(String entries) {
    Map<String, Entry> m = new LinkedHashMap<>();
    add(m, entries == null ? "" : entries, "entry");
    return new ApiKeys(m);
  }

  /**
   * The keys {@code env} configures: {@link Settings#API_KEYS} plus the lines of
   * {@link Settings#API_KEY_FILE}.
   *
   * @throws IllegalArgumentException naming the entry or file that is wrong
   */
  public static ApiKeys fromEnv(Map<String, String> env) {
    Map<String, Entry> m = new LinkedHashMap<>();
    String inline = Settings.API_KEYS.read(env);
    if (inline != null) {
      add(m, inline, Settings.API_KEYS.env());
    }
    String file = Settings.API_KEY_FILE.read(env);
    if (file != null && !file.isBlank()) {
      try {
        add(m, Files.readString(Path.of(file)), file);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read the API key file " + file + ": " + e, e);
      }
    }
    return new ApiKeys(m);
  }

  private static void add(Map<String, Entry> m, String text, String where) {
    for (String fullLine : text.split("\\n")) {
      int hash = fullLine.indexOf('#');
      // comments end at the line's end, whatever they hold (commas included)
      for (String raw : (hash >= 0 ? fullLine.substring(0, hash) : fullLine).split(",")) {
        addEntry(m, raw.strip(), where);
      }
    }
  }

  private static void addEntry(Map<String, Entry> m, String line, String where) {
    if (line.isEmpty()) {
      return;
    }
    String[] f = line.split(":");
    if (f.length < 2 || f.length > 3 || !TENANT.matcher(f[0]).matches()
        || !HASH.matcher(f[1]).matches() || (f.length == 3 && !f[2].equals("admin"))) {
      throw new IllegalArgumentException(where + ": '" + line + "' is not TENANT:SHA256HEX or"
          + " TENANT:SHA256HEX:admin (tenant names are [a-z0-9][a-z0-9_-]*; framewatch keys"
          + " create prints entries)");
    }
    m.put(f[1], new Entry(f[0], f.length == 3));
  }

  /** Whether no key is configured. */
  public boolean isEmpty() {
    return byHash.isEmpty();
  }

  /** The tenants that have keys, in configuration order, without repeats. */
  public List<String> tenants() {
    List<String> out = new ArrayList<>();
    byHash.values().forEach(e -> {
      if (!out.contains(e.tenant())) {
        out.add(e.tenant());
      }
    });
    return out;
  }

  /** Who {@code key} belongs to; empty for an unknown or malformed key. */
  public Optional<Principal> authenticate(String key) {
    if (key == null || !KEY.matcher(key).matches()) {
      return Optional.empty();
    }
    Entry e = byHash.get(sha256(key));
    return e == null ? Optional.empty()
        : Optional.of(new Principal(e.tenant(), e.admin(), key.substring(0, 12)));
  }

  /** A new random key for {@code tenant} and its configuration entry. */
  public static Created create(String tenant, boolean admin) {
    if (tenant == null || !TENANT.matcher(tenant).matches()) {
      throw new IllegalArgumentException("tenant '" + tenant + "' must match "
          + TENANT.pattern());
    }
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    String key = "fw_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    return new Created(key, tenant + ":" + sha256(key) + (admin ? ":admin" : ""));
  }

  /** Lower-case hex SHA-256 of the key's UTF-8 bytes: what the configuration stores. */
  public static String sha256(String key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
