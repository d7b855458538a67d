package io.framewatch.runtime;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What each tenant may hold and for how long, from {@link Settings#TENANT_LIMITS}: entries
 * {@code TENANT: key=value key=value} separated by {@code ;}, where {@code *} names every tenant
 * without an entry of its own. Keys:
 *
 * <ul>
 *   <li>{@code streams}: live streams running at once;
 *   <li>{@code uploads}: uploads accepted per minute (any 60 s);
 *   <li>{@code stored}: bytes of media held, as a number of bytes or with a unit ({@code 500MiB},
 *       {@code 50GiB}, {@code 2TB}: {@code KiB MiB GiB TiB} are powers of 1024, {@code KB MB GB
 *       TB} of 1000);
 *   <li>{@code retention}: how long a finished video (FINAL or FAILED) is kept after its verdict
 *       last changed ({@code 30d}, {@code 12h}, {@code 90m}, {@code 3600s}); {@code 0} keeps it
 *       forever.
 * </ul>
 *
 * <p>{@code streams}, {@code uploads} and {@code stored} also take {@code unlimited}. A key an
 * entry leaves out comes from the {@code *} entry, and a key {@code *} leaves out from the built-in
 * defaults ({@link #BUILT_IN}): {@code acme: streams=20} raises acme's streams and keeps the rest.
 *
 * <p>The built-in defaults hold one tenant to a share of a modest deployment rather than guess at
 * its size: 8 streams (a stream holds a decode slot until stopped, and two decode processes of
 * the default 2 workers give 4 slots, so 8 leaves a tenant unable to take a fleet of four
 * processes alone), 60 uploads per minute (one a second: no person or batch script is slowed, a
 * client retrying in a loop is), 100 GiB stored (fifty uploads of the largest size
 * {@code FRAMEWATCH_MAX_UPLOAD_MB} accepts by default; disks fill silently) and no retention
 * limit (deleting is the one thing that cannot be undone, so an operator chooses it).
 */
public final class TenantPolicies {
  /** The {@code *} entry when the setting does not name it. */
  public static final TenantPolicy BUILT_IN = new TenantPolicy(8, 60, 100L << 30, Duration.ZERO);
  /** The entry that applies to tenants without their own. */
  public static final String EVERY_TENANT = "*";

  private static final Pattern BYTES = Pattern.compile("(\\d+)\\s*([KMGT]i?B|B)?",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*([smhd])?",
      Pattern.CASE_INSENSITIVE);

  /**
   * One tenant's limits.
   *
   * @param streams live streams running at once
   * @param uploadsPerMinute uploads accepted in any 60 s
   * @param storedBytes bytes of media the tenant may hold
   * @param retention how long a finished video (FINAL or FAILED) is kept after its verdict last
   *     changed; zero keeps it forever
   */
  public record TenantPolicy(int streams, int uploadsPerMinute, long storedBytes,
      Duration retention) {
    /** Validates the limits. */
    public TenantPolicy {
      if (streams < 0 || uploadsPerMinute < 0 || storedBytes < 0 || retention.isNegative()) {
        throw new IllegalArgumentException("tenant limits must not be negative");
      }
    }

    /** Whether videos are kept until deleted. */
    public boolean keepsForever() {
      return retention.isZero();
    }
  }

  private final TenantPolicy everyTenant;
  private final Map<String, TenantPolicy> named;

  private TenantPolicies(TenantPolicy everyTenant, Map<String, TenantPolicy> named) {
    this.everyTenant = everyTenant;
    this.named = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(named));
  }

  /**
   * The policies {@code env} configures.
   *
   * @throws IllegalArgumentException naming the entry that is wrong
   */
  public static TenantPolicies fromEnv(Map<String, String> env) {
    return parse(Settings.TENANT_LIMITS.read(env));
  }

  /**
   * Parses the setting's value; null or blank gives {@link #BUILT_IN} for every tenant.
   *
   * @throws IllegalArgumentException naming the entry that is wrong
   */
  public static TenantPolicies parse(String value) {
    Map<String, Map<String, String>> entries = new LinkedHashMap<>();
    Map<String, String> texts = new LinkedHashMap<>();
    for (String raw : (value == null ? "" : value).split(";")) {
      String entry = raw.strip();
      if (entry.isEmpty()) {
        continue;
      }
      int colon = entry.indexOf(':');
      String tenant = colon < 0 ? entry : entry.substring(0, colon).strip();
      if (colon < 0 || !(tenant.equals(EVERY_TENANT) || ApiKeys.TENANT.matcher(tenant).matches())) {
        throw bad(entry, "is not TENANT: key=value ... (TENANT is * or a tenant name)");
      }
      if (entries.containsKey(tenant)) {
        throw bad(entry, "names " + tenant + " a second time");
      }
      Map<String, String> keys = new LinkedHashMap<>();
      for (String pair : entry.substring(colon + 1).strip().split("\\s+")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String key = eq < 0 ? pair : pair.substring(0, eq);
        if (eq <= 0 || eq == pair.length() - 1) {
          throw bad(entry, "'" + pair + "' is not key=value");
        }
        if (!java.util.List.of("streams", "uploads", "stored", "retention").contains(key)) {
          throw bad(entry, "has an unknown key '" + key
              + "' (streams, uploads, stored, retention)");
        }
        if (keys.put(key, pair.substring(eq + 1)) != null) {
          throw bad(entry, "sets " + key + " twice");
        }
      }
      entries.put(tenant, keys);
      texts.put(tenant, entry);
    }
    TenantPolicy every = resolve(BUILT_IN, entries.getOrDefault(EVERY_TENANT, Map.of()),
        texts.get(EVERY_TENANT));
    Map<String, TenantPolicy> named = new LinkedHashMap<>();
    entries.forEach((tenant, keys) -> {
      if (!tenant.equals(EVERY_TENANT)) {
        named.put(tenant, resolve(every, keys, texts.get(tenant)));
      }
    });
    return new TenantPolicies(every, named);
  }

  /** {@code base} with what {@code keys} (of the entry {@code where}) sets. */
  private static TenantPolicy resolve(TenantPolicy base, Map<String, String> keys,
      String where) {
    int streams = keys.containsKey("streams")
        ? (int) Math.min(Integer.MAX_VALUE, count(keys.get("streams"), where, "streams"))
        : base.streams();
    int uploads = keys.containsKey("uploads")
        ? (int) Math.min(Integer.MAX_VALUE, count(keys.get("uploads"), where, "uploads"))
        : base.uploadsPerMinute();
    long stored = keys.containsKey("stored") ? bytes(keys.get("stored"), where)
        : base.storedBytes();
    Duration retention = keys.containsKey("retention") ? duration(keys.get("retention"), where)
        : base.retention();
    return new TenantPolicy(streams, uploads, stored, retention);
  }

  private static long count(String v, String where, String key) {
    if (v.equalsIgnoreCase("unlimited")) {
      return Long.MAX_VALUE;
    }
    try {
      long n = Long.parseLong(v);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw bad(where, key + "=" + v + " is not a count >= 0 or unlimited");
  }

  private static long bytes(String v, String where) {
    if (v.equalsIgnoreCase("unlimited")) {
      return Long.MAX_VALUE;
    }
    Matcher m = BYTES.matcher(v);
    if (m.matches()) {
      String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
      int power = "BKMGT".indexOf(unit.charAt(0));
      long base = unit.contains("I") ? 1024 : 1000;
      try {
        long n = Long.parseLong(m.group(1));
        for (int i = 0; i < power; i++) {
          n = Math.multiplyExact(n, base);
        }
        return n;
      } catch (ArithmeticException | NumberFormatException e) {
        // said below
      }
    }
    throw bad(where, "stored=" + v + " is not a size (e.g. 500MiB, 50GiB, 2TB, a number of"
        + " bytes, unlimited)");
  }

  private static Duration duration(String v, String where) {
    Matcher m = DURATION.matcher(v);
    if (m.matches()) {
      try {
        long n = Long.parseLong(m.group(1));
        if (n == 0) {
          return Duration.ZERO;
        }
        if (m.group(2) != null) {
          return switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
        }
      } catch (ArithmeticException | NumberFormatException e) {
        // said below
      }
    }
    throw bad(where, "retention=" + v + " is not a duration (e.g. 30d, 12h, 90m, 3600s; 0 keeps"
        + " videos forever)");
  }

  private static IllegalArgumentException bad(String entry, String why) {
    return new IllegalArgumentException(Settings.TENANT_LIMITS.env() + ": '" + entry + "' "
        + why);
  }

  /** The limits of {@code tenant}: its own entry, else the {@code *} entry. */
  public TenantPolicy of(String tenant) {
    return named.getOrDefault(tenant, everyTenant);
  }

  /** The tenants with an entry of their own, in configuration order. */
  public java.util.Set<String> named() {
    return named.keySet();
  }

  /** {@code bytes} for people: {@code 1.5 GiB}, {@code 512 B}; {@code unlimited} at the top. */
  public static String describeBytes(long bytes) {
    if (bytes == Long.MAX_VALUE) {
      return "unlimited";
    }
    String units = "KMGTPE";
    if (bytes < 1024) {
      return bytes + " B";
    }
    int u = (63 - Long.numberOfLeadingZeros(bytes)) / 10;
    return String.format(Locale.ROOT, "%.1f %siB", bytes / Math.pow(1024, u),
        units.charAt(u - 1));
  }
}
