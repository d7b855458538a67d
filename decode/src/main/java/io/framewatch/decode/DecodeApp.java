package io.framewatch.decode;

import io.framewatch.proto.VideoJob;
import io.framewatch.topic.ConsumerLoop;
import io.framewatch.topic.FailurePolicy;
import io.framewatch.topic.Topics;
import io.framewatch.topic.Workers;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * The decode stage: consumes {@code video.jobs} one job at a time per worker and commits a job
 * only after its frames and its end-of-video event are acknowledged. A worker that dies mid-job
 * leaves the job to another; the sink counts each sample index once.
 */
public final class DecodeApp implements AutoCloseable {
  private final Workers workers;

  private DecodeApp(Workers workers) {
    this.workers = workers;
  }

  /** Starts the workers. */
  public static DecodeApp start(DecodeConfig cfg) {
    String host = System.getenv().getOrDefault("HOSTNAME", "local");
    Workers w = new Workers("decode", cfg.workers(), i -> {
      String worker = host + "/decode-" + i;
      Map<String, Object> consumer = cfg.kafka().consumer(cfg.group(), worker, false);
      // One job per poll; a job may take minutes, so allow a long gap between polls.
      consumer.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
      consumer.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 30 * 60 * 1000);
      // Keep the coordinator connection open for as long as a job may run between polls.
      consumer.put(ConsumerConfig.CONNECTIONS_MAX_IDLE_MS_CONFIG, 31 * 60 * 1000);
      VideoDecoder decoder = new VideoDecoder(cfg, worker);
      return new ConsumerLoop("decode", Topics.VIDEO_JOBS.name(), consumer,
          cfg.kafka().producer(worker, true),
          (record, out) -> {
            VideoJob job = Topics.VIDEO_JOBS.value(record.value());
            if (job == null || job.getVideoId().isEmpty() || job.getSourceUri().isEmpty()) {
              throw new IllegalArgumentException("video job without video id or source");
            }
            decoder.decode(job, new KafkaDecodeOutput(out));
          }, FailurePolicy.DEAD_LETTER, null);
    });
    return new DecodeApp(w);
  }

  @Override
  public void close() {
    workers.close();
  }
}
