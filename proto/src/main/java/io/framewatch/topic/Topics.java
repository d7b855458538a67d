package io.framewatch.topic;

import io.framewatch.proto.Alert;
import io.framewatch.proto.Burst;
import io.framewatch.proto.EnhancedFrame;
import io.framewatch.proto.EvidenceRequest;
import io.framewatch.proto.FrameAnalysis;
import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.StreamControl;
import io.framewatch.proto.TimelinePoint;
import io.framewatch.proto.Verdict;
import io.framewatch.proto.VideoEvent;
import io.framewatch.proto.VideoJob;
import io.framewatch.proto.WebhookSubscription;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The topic catalogue: every topic framewatch reads or writes, with its contract. All keys are
 * strings; see each constant for what the key is.
 */
public final class Topics {
  /** Frame and burst records: one sampled analysis frame is ~0.1-1.4 MB, a burst K times that. */
  public static final int LARGE_RECORD_BYTES = 16 * 1024 * 1024;

  private static final int DEFAULT_PARTITIONS = 6;
  private static final Serde<String> KEY = Serdes.String();
  private static final Map<String, String> LARGE =
      Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(LARGE_RECORD_BYTES));
  private static final Map<String, String> COMPACTED =
      Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);

  /**
   * How long {@link #ALERTS} and {@link #VIDEO_TIMELINE} keep a record (Kafka's own default,
   * stated so that {@link #TOMBSTONE_RETENTION_MS} can outlast it): a deleted video's records
   * cannot be removed from them and age out instead.
   */
  public static final long HISTORY_RETENTION_MS = Duration.ofDays(7).toMillis();
  /** Segments of those topics roll daily, so a record is gone at most a day after its time. */
  private static final long HISTORY_SEGMENT_MS = Duration.ofDays(1).toMillis();
  /**
   * How long a tombstone stays on {@link #VERDICTS} once compaction reaches it: longer than a
   * record of {@link #ALERTS} or {@link #VIDEO_TIMELINE} can live, so a read view that reads them
   * from the beginning always meets a deleted video's tombstone too.
   */
  public static final long TOMBSTONE_RETENTION_MS =
      HISTORY_RETENTION_MS + HISTORY_SEGMENT_MS + Duration.ofDays(1).toMillis();
  private static final Map<String, String> HISTORY = Map.of(
      TopicConfig.RETENTION_MS_CONFIG, Long.toString(HISTORY_RETENTION_MS),
      TopicConfig.SEGMENT_MS_CONFIG, Long.toString(HISTORY_SEGMENT_MS));

  /** Decode work; key: video id. */
  public static final Topic<String, VideoJob> VIDEO_JOBS =
      new Topic<>("video.jobs", DEFAULT_PARTITIONS, Map.of(), KEY,
          new ProtoSerde<>(VideoJob.parser(), VideoJob.class));

  /**
   * Sampled frames for detection; key: {@code videoId/sampleIndex}, so that one long video
   * spreads over every partition and so over every detect worker.
   */
  public static final Topic<String, FrameRecord> FRAMES_DETECT =
      new Topic<>("frames.detect", DEFAULT_PARTITIONS, LARGE, KEY,
          new ProtoSerde<>(FrameRecord.parser(), FrameRecord.class));

  /** Bursts of K consecutive frames for super-resolution; key: {@code videoId/burstIndex}. */
  public static final Topic<String, Burst> FRAMES_ENHANCE =
      new Topic<>("frames.enhance", DEFAULT_PARTITIONS, LARGE, KEY,
          new ProtoSerde<>(Burst.parser(), Burst.class));

  /** Super-resolved burst reference frames; key: {@code videoId/burstIndex}. */
  public static final Topic<String, EnhancedFrame> FRAMES_ENHANCED =
      new Topic<>("frames.enhanced", DEFAULT_PARTITIONS, LARGE, KEY,
          new ProtoSerde<>(EnhancedFrame.parser(), EnhancedFrame.class));

  /**
   * One analysis per sampled frame; key: video id. Must have as many partitions as
   * {@link #VIDEO_EVENTS}: the sink joins the two per video without repartitioning.
   */
  public static final Topic<String, FrameAnalysis> DETECTIONS =
      new Topic<>("detections", DEFAULT_PARTITIONS, Map.of(), KEY,
          new ProtoSerde<>(FrameAnalysis.parser(), FrameAnalysis.class));

  /** Probe, progress, end-of-video and failure events; key: video id. */
  public static final Topic<String, VideoEvent> VIDEO_EVENTS =
      new Topic<>("video.events", DEFAULT_PARTITIONS, Map.of(), KEY,
          new ProtoSerde<>(VideoEvent.parser(), VideoEvent.class));

  /** Commands to running decode jobs (stop a live stream); key: video id. */
  public static final Topic<String, StreamControl> VIDEO_CONTROL =
      new Topic<>("video.control", 1, Map.of(), KEY,
          new ProtoSerde<>(StreamControl.parser(), StreamControl.class));

  /**
   * Evidence to extract from a video's stored media (aligned crops and frame thumbnails of the
   * samples a moderator needs), asked by the sink and served by decode; key: video id.
   */
  public static final Topic<String, EvidenceRequest> EVIDENCE_REQUESTS =
      new Topic<>("evidence.requests", DEFAULT_PARTITIONS, Map.of(), KEY,
          new ProtoSerde<>(EvidenceRequest.parser(), EvidenceRequest.class));

  /**
   * Latest verdict per video, compacted (a tombstone: the video was deleted; kept
   * {@link #TOMBSTONE_RETENTION_MS}); key: video id.
   */
  public static final Topic<String, Verdict> VERDICTS =
      new Topic<>("verdicts", DEFAULT_PARTITIONS, Map.of(
          TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
          TopicConfig.DELETE_RETENTION_MS_CONFIG, Long.toString(TOMBSTONE_RETENTION_MS)), KEY,
          new ProtoSerde<>(Verdict.parser(), Verdict.class));

  /** Moderation alert transitions (raised, updated, cleared), written by the sink; key: video id. */
  public static final Topic<String, Alert> ALERTS =
      new Topic<>("alerts", DEFAULT_PARTITIONS, HISTORY, KEY,
          new ProtoSerde<>(Alert.parser(), Alert.class));

  /** Each tracked face's score as the sink links it (the score-over-time chart); key: video id. */
  public static final Topic<String, TimelinePoint> VIDEO_TIMELINE =
      new Topic<>("video.timeline", DEFAULT_PARTITIONS, HISTORY, KEY,
          new ProtoSerde<>(TimelinePoint.parser(), TimelinePoint.class));

  /** Webhook subscriptions, compacted (a tombstone deletes one); key: subscription id. */
  public static final Topic<String, WebhookSubscription> WEBHOOKS =
      new Topic<>("webhooks", 1, COMPACTED, KEY,
          new ProtoSerde<>(WebhookSubscription.parser(), WebhookSubscription.class));

  /**
   * Records a stage could not process, as received, with the cause in headers
   * ({@link DeadLetters}); key: the original key.
   */
  public static final Topic<byte[], byte[]> DEAD_LETTERS =
      new Topic<>("framewatch.dead-letters", 1, LARGE, Serdes.ByteArray(), Serdes.ByteArray());

  private Topics() {}

  /** Every topic, in creation order. */
  public static List<Topic<?, ?>> all() {
    return List.of(VIDEO_JOBS, VIDEO_CONTROL, FRAMES_DETECT, FRAMES_ENHANCE, FRAMES_ENHANCED,
        DETECTIONS,
        VIDEO_EVENTS, EVIDENCE_REQUESTS, VERDICTS, ALERTS, VIDEO_TIMELINE, WEBHOOKS, DEAD_LETTERS);
  }

  /** Key of a sampled frame: spreads a video over partitions while staying unique per frame. */
  public static String frameKey(String videoId, long sampleIndex) {
    return videoId + "/" + sampleIndex;
  }
}
