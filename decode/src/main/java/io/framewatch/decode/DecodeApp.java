package io.framewatch.decode;

import io.framewatch.proto.VideoJob;
import io.framewatch.runtime.ConsumerLoop;
import io.framewatch.runtime.FailurePolicy;
import io.framewatch.runtime.Retry;
import io.framewatch.runtime.StageContext;
import io.framewatch.runtime.WorkerStage;
import io.framewatch.runtime.Workers;
import io.framewatch.topic.Topics;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * The decode stage: one consumer of {@code video.jobs} per process that runs up to
 * {@code FRAMEWATCH_DECODE_WORKERS} jobs at once and accepts {@code FRAMEWATCH_DECODE_QUEUE} more,
 * pausing its partitions beyond that (the backlog stays in Kafka, where other processes take it).
 * A job's offset is committed only once the job and every job before it on its partition have
 * finished with all their records acknowledged. A job cut short by shutdown or a rebalance is
 * left uncommitted and decoded again by the next owner; the sink counts each sample index once.
 */
public final class DecodeApp extends WorkerStage {
  private final DecodeConfig cfg;
  private final StageContext ctx;
  private volatile StreamControls controls;

  /**
   * @param cfg stage settings
   * @param ctx the process's meters and worker-death policy
   */
  public DecodeApp(DecodeConfig cfg, StageContext ctx) {
    this.cfg = cfg;
    this.ctx = ctx;
  }

  @Override
  public String name() {
    return "decode";
  }

  @Override
  protected Workers startWorkers() {
    String name = ctx.host() + "/decode-" + ProcessHandle.current().pid();
    controls = new StreamControls(cfg.kafka(), name + "-control");
    Map<String, Object> consumer = cfg.kafka().consumer(cfg.group(), name, false);
    // one job per poll: jobs are long, and the pause limit counts them one by one
    consumer.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
    ConsumerLoop.Options options = new ConsumerLoop.Options("decode", name, consumer,
        cfg.kafka().producer(name, true), FailurePolicy.DEAD_LETTER, cfg.workers(),
        cfg.queueCapacity(), Retry.DEFAULT, ctx.meters(), null);
    return new Workers("decode", 1, i -> new ConsumerLoop<>(Topics.VIDEO_JOBS, (in, out) -> {
      VideoJob job = in.value();
      if (job.getVideoId().isEmpty() || job.getSourceUri().isEmpty()) {
        throw new IllegalArgumentException("video job without video id or source");
      }
      new VideoDecoder(cfg, name).decode(job, new KafkaDecodeOutput(out),
          () -> controls.stopRequested(job.getVideoId()), in::cancelled);
    }, options, null), ctx.onWorkerDeath());
  }

  @Override
  protected void closeResources() {
    if (controls != null) {
      controls.close();
    }
  }
}
