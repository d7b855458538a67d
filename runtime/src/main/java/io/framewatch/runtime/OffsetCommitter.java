package io.framewatch.runtime;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ConsumerLoop}'s offset commits: the finished offsets its {@link OffsetTracker} hands
 * out, with the stage's partition metadata riding on them, and the commits that failed (during a
 * rebalance, say) kept and retried with the next one while their partitions stay assigned. Used
 * from the loop's polling thread only.
 */
final class OffsetCommitter {
  private static final Logger LOG = LoggerFactory.getLogger(OffsetCommitter.class);

  private final String stage;
  private final Function<TopicPartition, String> metadata;
  private final Map<TopicPartition, String> committedMetadata = new HashMap<>();
  /** Offsets whose commit failed (e.g. during a rebalance), retried with the next commit. */
  private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();
  private long metadataCommittedAt;

  /**
   * @param stage the stage's name, for the log
   * @param metadata metadata committed with a partition's offset, or null for none
   */
  OffsetCommitter(String stage, Function<TopicPartition, String> metadata) {
    this.stage = stage;
    this.metadata = metadata;
  }

  /** Forgets partitions this consumer no longer owns. */
  void revoke(Collection<TopicPartition> parts) {
    parts.forEach(committedMetadata::remove);
    parts.forEach(uncommitted::remove);
  }

  /** Commits what {@code offsets} has finished, and metadata that changed. */
  void commit(KafkaConsumer<?, ?> consumer, OffsetTracker offsets) {
    Map<TopicPartition, OffsetAndMetadata> ready = offsets.committable();
    // the tracker hands each finished offset out once: a failed commit is kept and retried here,
    // or a partition whose last records were done during a rebalance would stay behind for good
    Set<TopicPartition> owned = consumer.assignment();
    uncommitted.forEach((tp, o) -> {
      if (owned.contains(tp)) {
        ready.putIfAbsent(tp, o);
      }
    });
    uncommitted.clear();
    long now = System.currentTimeMillis();
    if (metadata != null) {
      // the metadata rides on offset commits; when only it changed, at most once a second
      boolean due = now - metadataCommittedAt >= 1000;
      for (TopicPartition tp : consumer.assignment()) {
        String meta = metadata.apply(tp);
        if (meta == null || meta.equals(committedMetadata.get(tp))) {
          continue;
        }
        OffsetAndMetadata o = ready.get(tp);
        long at = o != null ? o.offset() : offsets.oldestRunning(tp);
        if (at >= 0 && (o != null || due)) {
          ready.put(tp, new OffsetAndMetadata(at, meta));
          committedMetadata.put(tp, meta);
          metadataCommittedAt = now;
        }
      }
    }
    if (!ready.isEmpty()) {
      try {
        consumer.commitSync(ready);
      } catch (WakeupException e) {
        throw e;
      } catch (RuntimeException e) {
        LOG.warn("{}: commit failed ({}); retried with the next commit while the partitions"
            + " stay assigned", stage, e.toString());
        uncommitted.putAll(ready);
        ready.keySet().forEach(committedMetadata::remove);
      }
    }
  }
}
