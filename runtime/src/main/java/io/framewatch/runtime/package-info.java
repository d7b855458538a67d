/**
 * How stages move records: the typed {@link io.framewatch.runtime.ConsumerLoop} every stage's
 * workers run (commit only after acknowledgement, resends with backoff, dead letters), client
 * settings sized for frame records, topic creation, and the {@link io.framewatch.runtime.Stage}
 * shape with its health and metrics.
 */
package io.framewatch.runtime;
