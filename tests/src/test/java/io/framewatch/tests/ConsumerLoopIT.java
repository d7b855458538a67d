package io.framewatch.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.app.EmbeddedKafka;
import io.framewatch.proto.StreamControl;
import io.framewatch.runtime.ConsumerLoop;
import io.framewatch.runtime.LoopOptions;
import io.framewatch.runtime.DeadLetters;
import io.framewatch.runtime.FailurePolicy;
import io.framewatch.runtime.Retry;
import io.framewatch.runtime.TopicCatalog;
import io.framewatch.runtime.Workers;
import io.framewatch.topic.ProtoSerde;
import io.framewatch.topic.Topic;
import io.framewatch.topic.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The consumer runtime every stage runs, on a real broker: an offset is committed only once the
 * record's results are acknowledged or the record is dead-lettered with the reason; a result the
 * broker refuses for good is resent, then its input dead-lettered, never committed silently; a
 * worker that dies makes its stage unhealthy.
 */
class ConsumerLoopIT {
  private static final Retry FAST = new Retry(2, Duration.ofMillis(50), Duration.ofMillis(100));
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    try {
      kafka = EmbeddedKafka.start(0);
      try (Admin admin = Admin.create(kafka.settings().admin())) {
        TopicCatalog.ensure(admin, (short) 1);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.close();
    }
  }

  private static Topic<String, StreamControl> inputTopic() throws Exception {
    Topic<String, StreamControl> t = new Topic<>("it-in-" + UUID.randomUUID(), 1, Map.of(),
        Serdes.String(), new ProtoSerde<>(StreamControl.parser(), StreamControl.class));
    create(t.name(), Map.of());
    return t;
  }

  private static void create(String name, Map<String, String> config) throws Exception {
    try (Admin admin = Admin.create(kafka.settings().admin())) {
      admin.createTopics(List.of(new NewTopic(name, 1, (short) 1).configs(config))).all().get();
    }
  }

  private static void produce(String topic, String key, byte[] value) throws Exception {
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(
        kafka.settings().producer("it-producer", false), new ByteArraySerializer(),
        new ByteArraySerializer())) {
      p.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)).get();
    }
  }

  private static LoopOptions options(String group, FailurePolicy policy) {
    return new LoopOptions("it", "it-" + group,
        kafka.settings().consumer(group, "it-" + group, false),
        kafka.settings().producer("it-" + group, false), policy, 0, 0, FAST,
        new SimpleMeterRegistry(), null);
  }

  private static long committed(String group, String topic) throws Exception {
    try (Admin admin = Admin.create(kafka.settings().admin())) {
      OffsetAndMetadata o = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
          .get().get(new TopicPartition(topic, 0));
      return o == null ? 0 : o.offset();
    }
  }

  /** Dead letters whose origin is {@code topic}, as (reason, key). */
  private static List<String[]> deadLetters(String topic) {
    return Records.raw(kafka.settings(), Topics.DEAD_LETTERS.name()).stream()
        .filter(r -> Records.header(r, DeadLetters.ORIGIN).startsWith(topic + "-"))
        .map(r -> new String[] {Records.header(r, DeadLetters.REASON),
            new String(r.key(), StandardCharsets.UTF_8)})
        .toList();
  }


  @Test
  void shouldDeadLetterUnreadableAndRejectedRecordsWithTheReasonAndKeepGoing() throws Exception {
    Topic<String, StreamControl> in = inputTopic();
    String out = "it-out-" + UUID.randomUUID();
    create(out, Map.of());
    String group = "it-" + UUID.randomUUID();
    Topic<String, String> outTopic = new Topic<>(out, 1, Map.of(), Serdes.String(),
        Serdes.String());
    try (Workers w = new Workers("it", 1, i -> new ConsumerLoop<>(in, (rec, o) -> {
      if (rec.value().getVideoId().equals("reject")) {
        throw new IllegalArgumentException("this record is refused on purpose");
      }
      o.send(outTopic, rec.key(), "done " + rec.value().getVideoId());
    }, options(group, FailurePolicy.DEAD_LETTER), null), () -> { })) {
      produce(in.name(), "junk", new byte[] {0x08, (byte) 0xff}); // truncated varint
      produce(in.name(), "rejected", StreamControl.newBuilder().setVideoId("reject").build()
          .toByteArray());
      produce(in.name(), "good", StreamControl.newBuilder().setVideoId("v1").build()
          .toByteArray());
      await().atMost(Duration.ofSeconds(30)).until(() -> committed(group, in.name()) == 3);
      assertTrue(w.health().live());
    }
    List<String[]> dl = deadLetters(in.name());
    assertEquals(2, dl.size(), "the junk and the refused record");
    assertEquals("junk", dl.get(0)[1]);
    assertTrue(dl.get(0)[0].contains("is not a valid StreamControl"), dl.get(0)[0]);
    assertEquals("rejected", dl.get(1)[1]);
    assertTrue(dl.get(1)[0].contains("refused on purpose"), dl.get(1)[0]);
  }

  @Test
  void shouldShowABatchHandlerAPollsRecordsTogetherAndStillSettleEachRecordOnItsOwn()
      throws Exception {
    Topic<String, StreamControl> in = inputTopic();
    String out = "it-out-" + UUID.randomUUID();
    create(out, Map.of());
    Topic<String, String> outTopic = new Topic<>(out, 1, Map.of(), Serdes.String(),
        Serdes.String());
    String group = "it-" + UUID.randomUUID();
    // written before the loop starts, so that its first poll returns them together
    produce(in.name(), "junk", new byte[] {0x08, (byte) 0xff});
    for (String id : List.of("a", "reject", "b", "c")) {
      produce(in.name(), id, StreamControl.newBuilder().setVideoId(id).build().toByteArray());
    }
    List<List<String>> prepared = new java.util.concurrent.CopyOnWriteArrayList<>();
    Map<String, String> results = new java.util.concurrent.ConcurrentHashMap<>();
    ConsumerLoop.BatchHandler<String, StreamControl> handler = new ConsumerLoop.BatchHandler<>() {
      @Override
      public void prepare(List<io.framewatch.runtime.Input<String, StreamControl>> batch) {
        List<String> ids = batch.stream().map(r -> r.value().getVideoId()).toList();
        prepared.add(ids);
        ids.forEach(id -> results.put(id, "batched with " + ids.size()));
      }

      @Override
      public void handle(io.framewatch.runtime.Input<String, StreamControl> rec,
          io.framewatch.runtime.Output o) {
        String id = rec.value().getVideoId();
        if (id.equals("reject")) {
          throw new IllegalArgumentException("this record is refused on purpose");
        }
        o.send(outTopic, rec.key(), id + " " + results.get(id));
      }
    };
    try (Workers w = new Workers("it", 1, i -> new ConsumerLoop<>(in, handler,
        options(group, FailurePolicy.DEAD_LETTER), null), () -> { })) {
      await().atMost(Duration.ofSeconds(30)).until(() -> committed(group, in.name()) == 5);
    }
    assertEquals(List.of("a", "reject", "b", "c"),
        prepared.stream().flatMap(List::stream).toList(),
        "every decoded record is prepared once, in offset order; the junk record is not");
    assertTrue(prepared.stream().anyMatch(p -> p.size() > 1), "a poll's records come together: "
        + prepared);
    List<String> published = Records.raw(kafka.settings(), out).stream()
        .map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    assertEquals(3, published.size(), published.toString());
    assertTrue(published.stream().allMatch(v -> v.contains("batched with")), published.toString());
    List<String[]> dl = deadLetters(in.name());
    assertEquals(List.of("junk", "reject"), dl.stream().map(d -> d[1]).toList());
  }

  @Test
  void shouldResendThenDeadLetterAnInputWhoseResultTheBrokerRefuses() throws Exception {
    Topic<String, StreamControl> in = inputTopic();
    String out = "it-small-" + UUID.randomUUID();
    create(out, Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1024"));
    Topic<String, String> small = new Topic<>(out, 1, Map.of(), Serdes.String(), Serdes.String());
    String group = "it-" + UUID.randomUUID();
    try (Workers w = new Workers("it", 1, i -> new ConsumerLoop<>(in, (rec, o) -> {
      int size = rec.value().getVideoId().equals("big") ? 64 * 1024 : 10;
      o.send(small, rec.key(), "x".repeat(size));
    }, options(group, FailurePolicy.DEAD_LETTER), null), () -> { })) {
      produce(in.name(), "big", StreamControl.newBuilder().setVideoId("big").build()
          .toByteArray());
      produce(in.name(), "small", StreamControl.newBuilder().setVideoId("small").build()
          .toByteArray());
      await().atMost(Duration.ofSeconds(60)).until(() -> committed(group, in.name()) == 2);
    }
    List<String[]> dl = deadLetters(in.name());
    assertEquals(1, dl.size());
    assertEquals("big", dl.get(0)[1]);
    assertTrue(dl.get(0)[0].contains("could not publish 1 record(s) to " + out)
        && dl.get(0)[0].contains("RecordTooLarge"), dl.get(0)[0]);
  }

  @Test
  void shouldStopUncommittedAndReportADeadWorkerWhenTheFailurePolicyIsFail() throws Exception {
    Topic<String, StreamControl> in = inputTopic();
    String group = "it-" + UUID.randomUUID();
    AtomicBoolean told = new AtomicBoolean();
    try (Workers w = new Workers("it", 1, i -> new ConsumerLoop<>(in, (rec, o) -> {
      throw new IllegalStateException("cannot go on");
    }, options(group, FailurePolicy.FAIL), null), () -> told.set(true))) {
      produce(in.name(), "k", StreamControl.newBuilder().setVideoId("v").build().toByteArray());
      await().atMost(Duration.ofSeconds(30)).until(told::get);
      assertFalse(w.health().live());
      assertTrue(w.health().checks().values().iterator().next().contains("cannot go on"),
          w.health().toString());
    }
    assertEquals(0, committed(group, in.name()), "nothing committed for the failed record");
  }
}
