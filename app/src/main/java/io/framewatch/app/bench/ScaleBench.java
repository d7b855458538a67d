package io.framewatch.app.bench;

import io.framewatch.app.EmbeddedKafka;
import io.framewatch.decode.DecodeConfig;
import io.framewatch.decode.VideoDecoder;
import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.VideoEvent;
import io.framewatch.proto.VideoJob;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.runtime.Settings;
import io.framewatch.runtime.TopicCatalog;
import io.framewatch.topic.Topic;
import io.framewatch.topic.Topics;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * {@code framewatch bench scale --stage detect|decode --workers 1,2}: how a stage's throughput
 * grows with the number of {@code framewatch run STAGE} processes sharing its consumer group.
 *
 * <p>One in-process broker is started and the stage's input topic is filled once: for detect,
 * real {@link FrameRecord}s decoded from a sample clip (repeated under new video ids up to the
 * requested count) in {@code frames.detect}; for decode, file {@link VideoJob}s of that clip in
 * {@code video.jobs}. For each process count K, K child JVMs run the stage against the broker in a
 * fresh consumer group, so every K drains the very same records. Progress is the group's committed
 * offsets summed over the topic, read with an Admin client: the stages commit a record only once
 * it is fully handled and its outputs are acknowledged, so this counts finished work.
 *
 * <p>The clock starts only when all K processes are members of the group and each holds at least
 * one partition, and what was committed by then is subtracted. JVM start, model loading and group
 * joins differ between K and are not throughput, so they are left out; without this, a faster
 * process that joined first would drain alone while the others were still loading and the figure
 * would be neither the 1-process nor the K-process rate. The rate is (records left at the start)
 * / (time until the last is committed); decode also reports sampled frames/s (EndOfVideo
 * {@code samples_expected} of the jobs that ended inside the window). A decode job already running
 * when the clock starts counts whole, so with a few long jobs a K > 1 figure can lean high by up
 * to one job per process that joined early. Ends with
 * {@code ratio <rate at the last K / rate at the first K>}.
 */
public final class ScaleBench {
  /** Stages this benchmark drives. */
  public static final List<String> STAGES = List.of("detect", "decode");
  private static final long POLL_MS = 150;
  private static final Duration JOIN_LIMIT = Duration.ofMinutes(5);
  private static final Duration STOP_GRACE = Duration.ofSeconds(15);

  private final PrintStream out;
  private final Set<Process> live = ConcurrentHashMap.newKeySet();

  /** @param out where the figures go */
  public ScaleBench(PrintStream out) {
    this.out = out;
  }

  /** One measured run. */
  private record Result(double rate, double seconds, long counted, long before,
      double samplesPerSecond, List<String> members) {}

  /**
   * Runs the benchmark.
   *
   * @param stage detect or decode
   * @param processes process counts to measure, in order
   * @param frames frame records to fill frames.detect with (detect)
   * @param jobs video jobs to fill video.jobs with (decode)
   * @param clip the footage
   * @return rate at the last process count / rate at the first
   */
  public double run(String stage, List<Integer> processes, int frames, int jobs, Path clip)
      throws Exception {
    if (!STAGES.contains(stage)) {
      throw new IllegalArgumentException("unknown stage '" + stage + "'");
    }
    Thread reaper = new Thread(() -> live.forEach(Process::destroyForcibly), "scale-bench-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
    Path logs = Files.createTempDirectory("framewatch-scale");
    boolean ok = false;
    out.printf(Locale.ROOT, "scale %s: %s 'framewatch run %s' processes against one in-process"
        + " broker in this JVM%n", stage, processes, stage);
    out.printf(Locale.ROOT, "machine   %d cores (Runtime.availableProcessors), shared by the"
        + " processes and the broker%n", Runtime.getRuntime().availableProcessors());
    try (EmbeddedKafka kafka = EmbeddedKafka.start(0);
        Admin admin = Admin.create(kafka.settings().admin())) {
      TopicCatalog.ensure(admin, (short) 1);
      Set<String> ids = new HashSet<>();
      Topic<?, ?> topic;
      String unit;
      if (stage.equals("detect")) {
        topic = Topics.FRAMES_DETECT;
        unit = "frames";
        TopicCatalog.awaitLeaders(admin, List.of(topic.name()));
        fillFrames(kafka.settings(), clip, frames);
      } else {
        topic = Topics.VIDEO_JOBS;
        unit = "jobs";
        TopicCatalog.awaitLeaders(admin, List.of(topic.name()));
        ids.addAll(fillJobs(kafka.settings(), clip, jobs));
      }
      Map<TopicPartition, Long> ends = GroupProgress.endOffsets(admin, topic);
      long total = ends.values().stream().mapToLong(Long::longValue).sum();
      out.printf(Locale.ROOT, "filled    %s: %d records, per partition %s%n", topic.name(), total,
          ends.entrySet().stream().sorted(Map.Entry.comparingByKey(
              Comparator.comparingInt(TopicPartition::partition)))
              .map(e -> Long.toString(e.getValue())).collect(Collectors.joining(",")));
      double worst = Double.MAX_VALUE;
      List<Map<String, String>> variants = stage.equals("detect")
          ? DetectModels.SHIPPED.stream().map(DetectModels::env).toList() : List.of(Map.of());
      for (Map<String, String> models : variants) {
        if (!models.isEmpty()) {
          out.printf(Locale.ROOT, "models    %s + %s%n", models.get(Settings.DETECTOR.env()),
              models.get(Settings.CLASSIFIER.env()));
        }
        List<Result> results = new ArrayList<>();
        for (int k : processes) {
          Result r = measure(kafka, admin, stage, k, topic, ends, total, ids, logs, models);
          results.add(r);
          print(stage, unit, k, r);
        }
        double ratio = results.get(results.size() - 1).rate / results.get(0).rate;
        if (variants.size() > 1) {
          out.printf(Locale.ROOT, "          ratio %.2f%n", ratio);
        }
        worst = Math.min(worst, ratio);
      }
      double ratio = worst;
      out.printf(Locale.ROOT, "ratio %.2f%s%n", ratio, variants.size() > 1
          ? " (the worst of the " + variants.size() + " model configurations)" : "");
      ok = true;
      return ratio;
    } finally {
      stop(List.copyOf(live));
      try {
        Runtime.getRuntime().removeShutdownHook(reaper);
      } catch (IllegalStateException e) {
        // the JVM is already stopping; the hook kills what is left
      }
      if (ok) {
        deleteTree(logs);
      } else {
        System.err.println("scale bench: child process logs in " + logs);
      }
    }
  }

  private void print(String stage, String unit, int k, Result r) {
    if (stage.equals("decode")) {
      out.printf(Locale.ROOT, "K=%d  %.3f jobs/s  (%.0f sampled frames/s; %d jobs in %.1f s"
          + " once all %d held partitions, %d done before)%n", k, r.rate, r.samplesPerSecond,
          r.counted, r.seconds, k, r.before);
    } else {
      out.printf(Locale.ROOT, "K=%d  %.1f %s/s  (%d records in %.1f s once all %d held"
          + " partitions, %d done before)%n", k, r.rate, unit, r.counted, r.seconds, k, r.before);
    }
    r.members.forEach(m -> out.println("      " + m));
    if (r.seconds < 5) {
      out.printf(Locale.ROOT, "      (measured over %.1f s only: fill more, --frames or --jobs,"
          + " for a steadier figure)%n", r.seconds);
    }
  }

  // ------------------------------------------------------------------------------------ filling

  /**
   * Decodes the clip once and produces {@code n} frame records: the clip's sampled frames under
   * video id scale-0, then again under scale-1, ... (sample indices restart per video), each keyed
   * {@code videoId/sampleIndex} as the decode stage keys them.
   */
  private void fillFrames(KafkaSettings kafka, Path clip, int n) throws Exception {
    long t0 = System.nanoTime();
    DecodeConfig cfg = new DecodeConfig(kafka, "bench-scale", 1, 640, 8192L * 8192, 0, 0);
    FrameCollector c = new FrameCollector();
    new VideoDecoder(cfg, "bench-scale").decode(VideoJob.newBuilder().setVideoId("scale-source")
        .setSourceUri(clip.toAbsolutePath().toString()).build(), c);
    if (c.failure() != null || c.frames().isEmpty()) {
      throw new BenchFailure("decoding " + clip + " failed: "
          + (c.failure() != null ? c.failure() : "no frames"));
    }
    double decodeS = (System.nanoTime() - t0) / 1e9;
    FrameRecord first = c.frames().get(0);
    long t1 = System.nanoTime();
    List<Future<RecordMetadata>> sent = new ArrayList<>(n);
    Topic<String, FrameRecord> topic = Topics.FRAMES_DETECT;
    try (KafkaProducer<String, FrameRecord> p = new KafkaProducer<>(
        kafka.producer("bench-scale-fill", true), topic.keySerde().serializer(),
        topic.valueSerde().serializer())) {
      for (int i = 0; i < n; i++) {
        int index = i % c.frames().size();
        String video = "scale-" + (i / c.frames().size());
        FrameRecord f = c.frames().get(index).toBuilder().setVideoId(video).setSampleIndex(index)
            .build();
        sent.add(p.send(new ProducerRecord<>(topic.name(), Topics.frameKey(video, index), f)));
      }
      p.flush();
      for (Future<RecordMetadata> f : sent) {
        f.get();
      }
    }
    out.printf(Locale.ROOT, "frames    %s: %d sampled frames (%dx%d %s, %d KiB each) decoded in"
        + " %.1f s; %d records produced in %.1f s%n", clip.getFileName(), c.frames().size(),
        first.getWidth(), first.getHeight(), first.getPixelFormat(),
        first.getSerializedSize() / 1024, decodeS, n, (System.nanoTime() - t1) / 1e9);
  }

  /**
   * Produces {@code n} file jobs of the clip. Their video ids are chosen so that the keys land on
   * partitions 0, 1, 2, ... in turn: with a handful of jobs, hashing alone can put most of them on
   * the partitions of one process.
   */
  private List<String> fillJobs(KafkaSettings kafka, Path clip, int n) throws Exception {
    Topic<String, VideoJob> topic = Topics.VIDEO_JOBS;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int want = i % topic.partitions();
      for (int s = 0; ; s++) {
        String id = "scale-job-" + i + "-" + s;
        byte[] key = id.getBytes(StandardCharsets.UTF_8);
        if (Utils.toPositive(Utils.murmur2(key)) % topic.partitions() == want) {
          ids.add(id);
          break;
        }
      }
    }
    try (KafkaProducer<String, VideoJob> p = new KafkaProducer<>(
        kafka.producer("bench-scale-fill", false), topic.keySerde().serializer(),
        topic.valueSerde().serializer())) {
      for (String id : ids) {
        VideoJob job = VideoJob.newBuilder().setVideoId(id)
            .setSourceUri(clip.toAbsolutePath().toString())
            .setFileName(clip.getFileName().toString()).setSizeBytes(Files.size(clip))
            .setSubmittedAtMs(System.currentTimeMillis()).setLive(false).build();
        p.send(new ProducerRecord<>(topic.name(), id, job)).get();
      }
    }
    out.printf(Locale.ROOT, "jobs      %d file jobs of %s (%d MiB), FRAMEWATCH_DECODE_WORKERS=1"
        + " per process%n", n, clip.toAbsolutePath(), Files.size(clip) >> 20);
    return ids;
  }

  // ---------------------------------------------------------------------------------- measuring

  private Result measure(EmbeddedKafka kafka, Admin admin, String stage, int k, Topic<?, ?> topic,
      Map<TopicPartition, Long> ends, long total, Set<String> ids, Path logs,
      Map<String, String> models) throws Exception {
    String group = "bench-" + stage + "-" + k + "-" + UUID.randomUUID().toString().substring(0, 8);
    Map<TopicPartition, Long> eventsFrom = GroupProgress.endOffsets(admin, Topics.VIDEO_EVENTS);
    List<Process> children = new ArrayList<>();
    List<Path> childLogs = new ArrayList<>();
    try {
      for (int i = 0; i < k; i++) {
        Path log = logs.resolve(group + "-" + i + ".log");
        childLogs.add(log);
        children.add(startChild(stage, kafka.bootstrap(), group, log, models));
      }
      // wait until every process is a member and holds partitions
      long joinDeadline = System.nanoTime() + JOIN_LIMIT.toNanos();
      List<MemberDescription> assignment;
      while (true) {
        checkAlive(children, childLogs);
        assignment = GroupProgress.assigned(admin, group, topic, k);
        if (assignment != null) {
          break;
        }
        if (System.nanoTime() > joinDeadline) {
          throw new BenchFailure(k + " " + stage + " process(es) did not all join group " + group
              + " and take partitions within " + JOIN_LIMIT.toSeconds() + " s; logs: "
              + childLogs);
        }
        Thread.sleep(POLL_MS);
      }
      long c0 = GroupProgress.committed(admin, group, topic);
      long t0 = System.nanoTime();
      long t0Wall = System.currentTimeMillis();
      if (c0 >= total) {
        throw new BenchFailure("all " + total + " records were done before all " + k
            + " processes held partitions; fill more (--frames / --jobs)");
      }
      // generous: 2 s a frame, 10 min a job, plus a minute
      long limitS = 60 + (stage.equals("detect") ? 2L * total : 600L * total);
      long deadline = t0 + TimeUnit.SECONDS.toNanos(limitS);
      long done = c0;
      while (done < total) {
        Thread.sleep(POLL_MS);
        checkAlive(children, childLogs);
        done = GroupProgress.committed(admin, group, topic);
        if (System.nanoTime() > deadline && done < total) {
          throw new BenchFailure(k + " " + stage + " process(es) committed " + done + " of "
              + total + " records in " + limitS + " s; logs: " + childLogs);
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      double samples = stage.equals("decode")
          ? endedSamples(kafka.settings(), admin, eventsFrom, ids, t0Wall, logs) / seconds : 0;
      List<String> members = assignment.stream()
          .sorted(Comparator.comparing(MemberDescription::clientId))
          .map(m -> GroupProgress.describe(m, topic, ends)).toList();
      return new Result((total - c0) / seconds, seconds, total - c0, c0, samples, members);
    } finally {
      stop(children);
    }
  }

  private Process startChild(String stage, String bootstrap, String group, Path log,
      Map<String, String> models) throws IOException {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!a.startsWith("-agentlib:jdwp") && !a.startsWith("-Xrunjdwp")) {
        cmd.add(a); // heap size, the cache and javacpp properties the launcher set
      }
    }
    String cp = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(e -> Path.of(e).toAbsolutePath().toString())
        .collect(Collectors.joining(File.pathSeparator));
    cmd.addAll(List.of("-cp", cp, "io.framewatch.app.Main", "run", stage, "--bootstrap",
        bootstrap));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.put("FRAMEWATCH_" + stage.toUpperCase(Locale.ROOT) + "_GROUP", group);
    env.put("FRAMEWATCH_MANAGEMENT_PORT", "0");
    env.put("FRAMEWATCH_EXIT_ON_WORKER_DEATH", "true");
    env.putAll(models);
    if (stage.equals("decode")) {
      env.put("FRAMEWATCH_DECODE_WORKERS", "1"); // one job at a time: processes are what scales
    }
    Process p = pb.start();
    live.add(p);
    return p;
  }

  private static void checkAlive(List<Process> children, List<Path> logs) throws BenchFailure {
    for (int i = 0; i < children.size(); i++) {
      Process p = children.get(i);
      if (!p.isAlive()) {
        throw new BenchFailure("child process " + p.pid() + " exited with " + p.exitValue()
            + "; its log: " + logs.get(i));
      }
    }
  }

  /**
   * Sum of {@code samples_expected} of the end-of-video events of {@code ids} published since
   * {@code from} at or after {@code sinceMs}; a failure event of one of them fails the run.
   */
  private static long endedSamples(KafkaSettings kafka, Admin admin,
      Map<TopicPartition, Long> from, Set<String> ids, long sinceMs, Path logs) throws Exception {
    Map<TopicPartition, Long> to = GroupProgress.endOffsets(admin, Topics.VIDEO_EVENTS);
    Map<String, Object> props = new HashMap<>(kafka.admin());
    props.put("enable.auto.commit", false);
    long samples = 0;
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props,
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.assign(to.keySet());
      from.forEach(c::seek);
      Set<TopicPartition> pending = new HashSet<>();
      to.forEach((tp, end) -> {
        if (end > from.getOrDefault(tp, 0L)) {
          pending.add(tp);
        }
      });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!pending.isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new BenchFailure("could not read video.events back within 30 s");
        }
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          VideoEvent e = Topics.VIDEO_EVENTS.value(r.value());
          if (ids.contains(e.getVideoId())) {
            if (e.hasFailure()) {
              throw new BenchFailure("decode of " + e.getVideoId() + " failed: "
                  + e.getFailure().getReason() + "; logs in " + logs);
            }
            if (e.hasEnd() && e.getAtMs() >= sinceMs) {
              samples += e.getEnd().getSamplesExpected();
            }
          }
        }
        pending.removeIf(tp -> c.position(tp) >= to.get(tp));
      }
    }
    return samples;
  }

  /** SIGTERM to each, then a forced kill of those still running after the grace period. */
  private void stop(List<Process> children) {
    children.forEach(Process::destroy);
    long deadline = System.nanoTime() + STOP_GRACE.toNanos();
    for (Process p : children) {
      try {
        long left = deadline - System.nanoTime();
        if (!p.waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
      live.remove(p);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind
    }
  }
}
