package io.framewatch.runtime;

import io.framewatch.topic.Topic;
import io.framewatch.topic.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the catalogue's topics on a cluster; existing topics are left as they are. */
public final class TopicCatalog {
  private static final Logger LOG = LoggerFactory.getLogger(TopicCatalog.class);

  private TopicCatalog() {}

  /**
   * Waits until every partition of {@code topics} has a leader, so that the first records sent to
   * a new topic are not bounced with NOT_LEADER_OR_FOLLOWER and retried.
   */
  public static void awaitLeaders(Admin admin, List<String> topics) throws InterruptedException,
      ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!topics.isEmpty()) {
      boolean ready;
      try {
        var described = admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
        ready = described.values().stream().allMatch(d -> d.partitions().stream()
            .allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
      } catch (ExecutionException e) {
        // A topic created a moment ago may not be in the broker's metadata yet.
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
        ready = false;
      }
      if (ready) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("partitions of " + topics + " have no leader after 30 s");
      }
      Thread.sleep(50);
    }
  }

  /**
   * Creates every topic of {@link Topics#all()} that does not exist yet.
   *
   * @param admin an admin client of the cluster
   * @param replication replication factor (1 for the embedded broker)
   * @return names of the topics created by this call
   */
  public static List<String> ensure(Admin admin, short replication) {
    try {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (Topic<?, ?> t : Topics.all()) {
        if (!existing.contains(t.name())) {
          missing.add(new NewTopic(t.name(), t.partitions(), replication).configs(t.config()));
        }
      }
      if (missing.isEmpty()) {
        return List.of();
      }
      List<String> created = new ArrayList<>();
      var result = admin.createTopics(missing);
      for (var e : result.values().entrySet()) {
        try {
          e.getValue().get(30, TimeUnit.SECONDS);
          created.add(e.getKey());
        } catch (ExecutionException ex) {
          // Another process of the fleet may have created it in the meantime.
          if (!(ex.getCause() instanceof TopicExistsException)) {
            throw ex;
          }
        }
      }
      awaitLeaders(admin, created);
      LOG.info("created topics {}", created);
      return created;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not create framewatch topics: " + e.getMessage(), e);
    }
  }
}
