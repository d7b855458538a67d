package io.framewatch.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.ingest.TenantLimits.Limit;
import io.framewatch.ingest.TenantLimits.Refusal;
import io.framewatch.runtime.TenantPolicies;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TenantLimitsTest {
  private static final long GIB = 1L << 30;
  private final TenantLimits limits = new TenantLimits(TenantPolicies.parse(
      "*: uploads=3 streams=2 stored=1GiB; big: uploads=unlimited stored=unlimited; none:"
      + " uploads=0 streams=0"));

  @Test
  void shouldRefuseTheUploadOverTheMinutesLimitUntilTheOldestLeavesTheWindow() {
    long t0 = 1_000_000;
    assertTrue(limits.admitUpload("acme", 10, 0, t0).isEmpty());
    assertTrue(limits.admitUpload("acme", 10, 0, t0 + 20_000).isEmpty());
    assertTrue(limits.admitUpload("acme", 10, 0, t0 + 30_500).isEmpty());
    Refusal r = limits.admitUpload("acme", 10, 0, t0 + 40_000).orElseThrow();
    assertEquals(Limit.UPLOADS, r.limit());
    assertEquals(20, r.retryAfterSeconds(), "the upload of t0 leaves the window at t0 + 60 s");
    assertEquals("20", r.retryAfter());
    assertEquals("tenant acme reached its limit of 3 uploads per minute", r.reason());
    assertEquals(1, limits.admitUpload("acme", 10, 0, t0 + 59_999).orElseThrow()
        .retryAfterSeconds(), "1 ms to go is still one whole second, never 0");
    assertTrue(limits.admitUpload("acme", 10, 0, t0 + 60_000).isEmpty(),
        "a refused upload took no slot: the first one's slot is free again at t0 + 60 s");
    assertEquals(20, limits.admitUpload("acme", 10, 0, t0 + 60_001).orElseThrow()
        .retryAfterSeconds(), "the next slot frees with the upload of t0 + 20 s, at t0 + 80 s");
  }

  @Test
  void shouldCountEachTenantsUploadsApart() {
    for (int i = 0; i < 3; i++) {
      assertTrue(limits.admitUpload("acme", 1, 0, 5_000).isEmpty());
    }
    assertTrue(limits.admitUpload("acme", 1, 0, 5_000).isPresent());
    assertTrue(limits.admitUpload("zeta", 1, 0, 5_000).isEmpty(), "another tenant's minute");
    for (int i = 0; i < 100; i++) {
      assertTrue(limits.admitUpload("big", 1, 50 * GIB, 5_000).isEmpty(), "unlimited");
    }
    Refusal none = limits.admitUpload("none", 1, 0, 5_000).orElseThrow();
    assertEquals(60, none.retryAfterSeconds());
  }

  @Test
  void shouldRefuseAnUploadThatWouldExceedTheStoredBytesWithTheFixedHint() {
    Refusal r = limits.admitUpload("acme", 300L << 20, 800L << 20, 0).orElseThrow();
    assertEquals(Limit.STORED, r.limit());
    assertEquals(TenantLimits.FIXED_RETRY_SECONDS, r.retryAfterSeconds());
    assertEquals("tenant acme stores 800.0 MiB of its 1.0 GiB; this upload of 300.0 MiB would"
        + " exceed it (delete videos, or ask the operator to raise FRAMEWATCH_TENANT_LIMITS)",
        r.reason());
    assertTrue(limits.admitUpload("acme", 224L << 20, 800L << 20, 0).isEmpty(),
        "exactly up to the limit is allowed");
    assertEquals(Limit.STORED, limits.admitUpload("acme", 0, GIB, 0).orElseThrow().limit(),
        "size unknown: refused once the tenant is at its limit");
    assertTrue(limits.admitUpload("acme", 0, GIB - 1, 0).isEmpty());
  }

  @Test
  void shouldRefuseAStreamBeyondTheTenantsLimit() {
    assertTrue(limits.admitStream("acme", 1).isEmpty());
    Refusal r = limits.admitStream("acme", 2).orElseThrow();
    assertEquals(Limit.STREAMS, r.limit());
    assertEquals(60, r.retryAfterSeconds());
    assertEquals("tenant acme runs 2 live stream(s), its limit is 2 (stop one, or ask the"
        + " operator to raise FRAMEWATCH_TENANT_LIMITS)", r.reason());
    assertTrue(limits.admitStream("big", 2).isPresent(), "big keeps the streams of *");
    assertTrue(limits.admitStream("none", 0).isPresent());
  }

  @Test
  void shouldAdmitExactlyTheLimitWhenManyThreadsUploadAtOnce() throws Exception {
    TenantLimits l = new TenantLimits(TenantPolicies.parse("*: uploads=50"));
    AtomicInteger admitted = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        fs.add(pool.submit(() -> {
          Optional<Refusal> r = l.admitUpload("acme", 1, 0, 42_000);
          if (r.isEmpty()) {
            admitted.incrementAndGet();
          }
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(50, admitted.get());
  }
}
