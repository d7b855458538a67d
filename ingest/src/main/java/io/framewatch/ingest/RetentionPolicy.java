package io.framewatch.ingest;

import io.framewatch.runtime.Settings;
import io.framewatch.runtime.TenantPolicies;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * How long finished videos are kept, and how often ingest looks for those past it
 * ({@link RetentionSweeper}).
 *
 * @param sweepEvery time between sweeps; zero: never sweep
 * @param perTenant a tenant's retention time, counted from its verdict's last update;
 *     {@link Duration#ZERO} keeps the tenant's videos until they are deleted by request
 */
public record RetentionPolicy(Duration sweepEvery, Function<String, Duration> perTenant) {
  /** Every tenant keeps its videos. */
  public static final Function<String, Duration> KEEP_FOREVER = tenant -> Duration.ZERO;

  /** Validates the policy. */
  public RetentionPolicy {
    if (sweepEvery.isNegative()) {
      throw new IllegalArgumentException("the retention sweep interval must be >= 0, got "
          + sweepEvery);
    }
  }

  /**
   * The sweep interval of {@link Settings#RETENTION_SWEEP_SECONDS} and each tenant's
   * {@code retention} in {@link Settings#TENANT_LIMITS}.
   */
  public static RetentionPolicy fromEnv(Map<String, String> env) {
    TenantPolicies policies = TenantPolicies.fromEnv(env);
    return new RetentionPolicy(Duration.ofSeconds(Settings.RETENTION_SWEEP_SECONDS.read(env)),
        tenant -> policies.of(tenant).retention());
  }
}
