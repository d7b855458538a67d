package io.framewatch.ingest;

import io.framewatch.runtime.ApiKeys.Principal;
import java.util.Optional;

/**
 * The check point of per-tenant limits: uploads (once the file is on disk, before the job is
 * queued) and live streams (before the job is queued) ask it, on the worker pool; a refusal is
 * answered 429 with its reason and nothing is queued.
 */
interface Quota {
  /** Admits everything. */
  Quota NONE = (caller, request) -> Optional.empty();

  /**
   * What a tenant asks to start.
   *
   * @param live a live stream rather than an upload
   * @param sizeBytes bytes the job will store (0 for a live stream)
   */
  record Request(boolean live, long sizeBytes) {}

  /**
   * Decides whether {@code caller} may start {@code request}; may block.
   *
   * @return the reason to refuse with 429, empty to admit
   */
  Optional<String> refuse(Principal caller, Request request);
}
