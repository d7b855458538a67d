package io.framewatch.app.bench;

import io.framewatch.topic.Topic;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/** What the broker says of a consumer group's progress on a topic: members, commits, ends. */
final class GroupProgress {
  private GroupProgress() {}

  /** The group's members once all {@code k} hold partitions of the topic, covering it; else null. */
  static List<MemberDescription> assigned(Admin admin, String group, Topic<?, ?> topic, int k)
      throws Exception {
    ConsumerGroupDescription d;
    try {
      d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
          .get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return null; // no process has joined yet
      }
      throw e;
    }
    List<MemberDescription> members = new ArrayList<>(d.members());
    if (members.size() != k) {
      return null;
    }
    int held = 0;
    for (MemberDescription m : members) {
      long mine = partitionsOf(m, topic).size();
      if (mine == 0) {
        return null;
      }
      held += mine;
    }
    return held == topic.partitions() ? members : null;
  }

  static List<Integer> partitionsOf(MemberDescription m, Topic<?, ?> topic) {
    return m.assignment().topicPartitions().stream()
        .filter(tp -> tp.topic().equals(topic.name())).map(TopicPartition::partition).sorted()
        .toList();
  }

  static String describe(MemberDescription m, Topic<?, ?> topic,
      Map<TopicPartition, Long> ends) {
    List<Integer> parts = partitionsOf(m, topic);
    long records = parts.stream().mapToLong(p -> ends.getOrDefault(
        new TopicPartition(topic.name(), p), 0L)).sum();
    return String.format(Locale.ROOT, "member %s: %s partitions %s (%d records)", m.clientId(),
        topic.name(), parts, records);
  }

  static long committed(Admin admin, String group, Topic<?, ?> topic) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
    return offsets.entrySet().stream()
        .filter(e -> e.getKey().topic().equals(topic.name()) && e.getValue() != null)
        .mapToLong(e -> e.getValue().offset()).sum();
  }

  static Map<TopicPartition, Long> endOffsets(Admin admin, Topic<?, ?> topic)
      throws Exception {
    Map<TopicPartition, OffsetSpec> q = new HashMap<>();
    IntStream.range(0, topic.partitions())
        .forEach(p -> q.put(new TopicPartition(topic.name(), p), OffsetSpec.latest()));
    Map<TopicPartition, Long> ends = new HashMap<>();
    admin.listOffsets(q).all().get(10, TimeUnit.SECONDS)
        .forEach((tp, info) -> ends.put(tp, info.offset()));
    return ends;
  }
}
