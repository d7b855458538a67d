package io.framewatch.decode;

import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.VideoJob;
import io.framewatch.runtime.ConsumerLoop;
import io.framewatch.runtime.LoopOptions;
import io.framewatch.runtime.FailurePolicy;
import io.framewatch.runtime.Input;
import io.framewatch.runtime.Output;
import io.framewatch.runtime.Retry;
import io.framewatch.runtime.StageContext;
import io.framewatch.runtime.WorkerStage;
import io.framewatch.runtime.Workers;
import io.framewatch.topic.Topics;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decode stage: one consumer of {@code video.jobs} per process that runs up to
 * {@code FRAMEWATCH_DECODE_WORKERS} jobs at once and accepts {@code FRAMEWATCH_DECODE_QUEUE} more,
 * pausing its partitions beyond that (the backlog stays in Kafka, where other processes take it).
 * A job's offset is committed only once the job and every job before it on its partition have
 * finished with all their records acknowledged. A job cut short by shutdown or a rebalance is
 * left uncommitted and decoded again by the next owner; the sink counts each sample index once.
 */
public final class DecodeApp extends WorkerStage {
  private static final Logger LOG = LoggerFactory.getLogger(DecodeApp.class);
  private final DecodeConfig cfg;
  private final EvidenceConfig evidence;
  private final StageContext ctx;
  private final String workerName;
  private volatile StreamControls controls;
  private final LiveFrames liveFrames = new LiveFrames();
  private volatile KafkaProducer<byte[], byte[]> liveEvidence;

  /**
   * @param cfg stage settings
   * @param ctx the process's meters and worker-death policy
   */
  public DecodeApp(DecodeConfig cfg, StageContext ctx) {
    this(cfg, null, ctx);
  }

  /**
   * @param cfg stage settings
   * @param evidence the evidence server's settings; null: this process serves no evidence
   * @param ctx the process's meters and worker-death policy
   */
  public DecodeApp(DecodeConfig cfg, EvidenceConfig evidence, StageContext ctx) {
    this.cfg = cfg;
    this.evidence = evidence;
    this.ctx = ctx;
    // pid and a random suffix: several decode stages may share a host (or, in tests, a JVM)
    this.workerName = ctx.host() + "/decode-" + ProcessHandle.current().pid() + "-"
        + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
  }

  /** This process's decode worker name, as events report it. */
  public String workerName() {
    return workerName;
  }

  @Override
  public String name() {
    return "decode";
  }

  @Override
  protected Workers startWorkers() {
    String name = workerName;
    controls = new StreamControls(cfg.kafka(), name + "-control");
    LiveOwnership live = new LiveOwnership(name);
    DecodeMeters meters = new DecodeMeters(ctx.meters());
    Map<String, Object> consumer = cfg.kafka().consumer(cfg.group(), name, false);
    // one job per poll: jobs are long, and the pause limit counts them one by one
    consumer.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
    LoopOptions options = new LoopOptions("decode", name, consumer,
        cfg.kafka().producer(name, true), FailurePolicy.DEAD_LETTER, cfg.workers(),
        cfg.queueCapacity(), Retry.DEFAULT, ctx.meters(), tp -> live.metadata(tp.partition()));
    if (evidence == null) {
      return new Workers("decode", 1, i -> new ConsumerLoop<>(Topics.VIDEO_JOBS,
          (in, out) -> handle(in, out, name, live, meters), options, null), ctx.onWorkerDeath());
    }
    // evidence requests in a group of their own, so a backlog of jobs never delays them, on a
    // pool of their own: seeking one frame takes a fraction of a second, a job minutes
    EvidenceServer server = new EvidenceServer(evidence.files(), cfg.maxSourcePixels(), name);
    // a live stream's evidence comes from the frames this process holds, asked on video.control
    liveEvidence = new KafkaProducer<>(cfg.kafka().producer(name + "-live-evidence", false),
        new ByteArraySerializer(), new ByteArraySerializer());
    controls.onEvidence(r -> {
      try {
        server.serveLive(r, liveFrames).ifPresent(e -> liveEvidence.send(
            Topics.VIDEO_EVENTS.record(e.getVideoId(), e)));
      } catch (Exception e) {
        LOG.warn("live evidence of {} sample {} not written: {}", r.getVideoId(),
            r.getSampleIndex(), e.toString());
      }
    });
    LoopOptions evidenceOptions = new LoopOptions("decode-evidence", name + "-evidence",
        cfg.kafka().consumer(evidence.group(), name + "-evidence", false),
        cfg.kafka().producer(name + "-evidence", true), FailurePolicy.DEAD_LETTER,
        evidence.workers(), evidence.workers(), Retry.DEFAULT, ctx.meters(), null);
    return new Workers("decode", 2, i -> i == 0
        ? new ConsumerLoop<>(Topics.VIDEO_JOBS, (in, out) -> handle(in, out, name, live, meters),
            options, null)
        : new ConsumerLoop<>(Topics.EVIDENCE_REQUESTS, server::handle, evidenceOptions, null),
        ctx.onWorkerDeath());
  }

  /** Runs one job: a file to its end, a live stream until stopped, either until cancelled. */
  private void handle(Input<String, VideoJob> in, Output out, String name, LiveOwnership live,
      DecodeMeters meters) throws Exception {
    VideoJob job = in.value();
    if (job.getVideoId().isEmpty() || job.getSourceUri().isEmpty()) {
      throw new IllegalArgumentException("video job without video id or source");
    }
    Optional<JobControl.Takeover> previous = job.getLive()
        ? LiveOwnership.previousOwner(in.previousMetadata(), job.getVideoId())
        : Optional.empty();
    DecodeMeters.Job jobMeters = meters.new Job();
    if (job.getLive()) {
      jobMeters.live(job.getVideoId());
      liveFrames.open(job.getVideoId(),
          LiveFrames.capacity(job.getDetectSampling().getFramesPerSecond()));
    }
    try {
      new VideoDecoder(cfg, name).decode(job, new KafkaDecodeOutput(out, jobMeters),
          new JobControl() {
            @Override
            public boolean stopRequested() {
              return controls.stopRequested(job.getVideoId());
            }

            @Override
            public boolean cancelled() {
              return in.cancelled();
            }

            @Override
            public Optional<Takeover> takeover() {
              return previous;
            }

            @Override
            public void liveFrame(long wallMs) {
              live.frame(in.partition(), job.getVideoId(), wallMs);
            }

            @Override
            public void liveSample(FrameRecord frame) {
              liveFrames.add(job.getVideoId(), frame);
            }
          });
    } finally {
      jobMeters.gone(job.getVideoId());
      liveFrames.close(job.getVideoId());
    }
    // finished (stopped, failed or a file): nobody resumes it. A cancelled job keeps its record
    // for the commit that hands the partition over.
    live.ended(in.partition(), job.getVideoId());
  }

  @Override
  protected void closeResources() {
    if (controls != null) {
      controls.close();
    }
    if (liveEvidence != null) {
      liveEvidence.close();
    }
  }
}
