package io.framewatch.app.bench;

import io.framewatch.app.EmbeddedKafka;
import io.framewatch.decode.DecodeConfig;
import io.framewatch.decode.VideoDecoder;
import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.VideoJob;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.runtime.TopicCatalog;
import io.framewatch.topic.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code framewatch bench decode FILE}: the decode worker's frames/s against the bundled
 * {@code ffmpeg -benchmark -i FILE -f null -} with the same decoder threads, and the frame
 * topic's MiB/s through framewatch's producer path against a bare KafkaProducer loop sending the
 * same record bytes to the same in-process broker, all measured in this run. Ends with
 * {@code ratio <decode ratio>}.
 */
public final class DecodeBench {
  private static final Pattern FRAME = Pattern.compile("frame=\\s*(\\d+)");
  private static final Pattern RTIME = Pattern.compile("rtime=([0-9.]+)s");

  private final PrintStream out;

  /** @param out where the figures go */
  public DecodeBench(PrintStream out) {
    this.out = out;
  }

  /**
   * Runs the benchmark.
   *
   * @param file the video
   * @param threads decoder threads on both sides
   * @param rounds alternating rounds (median reported)
   * @return the decode ratio
   */
  public double run(Path file, int threads, int rounds) throws Exception {
    String ffmpeg = io.framewatch.decode.FfmpegCli.path();
    DecodeConfig cfg = new DecodeConfig(new KafkaSettings("127.0.0.1:9"), "bench", 1, 640,
        8192L * 8192, threads, 0);
    VideoJob job = VideoJob.newBuilder().setVideoId("bench").setSourceUri(file.toString()).build();
    out.printf(Locale.ROOT, "file %s, %d decoder thread(s), %d cores%n", file, threads,
        Runtime.getRuntime().availableProcessors());
    double[] cli = new double[rounds];
    double[] worker = new double[rounds];
    FrameCollector sample = null;
    runWorker(cfg, job); // warm-up: JIT and native library loading
    for (int r = 0; r < rounds; r++) {
      cli[r] = runFfmpeg(ffmpeg, file, threads);
      long t0 = System.nanoTime();
      FrameCollector c = runWorker(cfg, job);
      worker[r] = c.decoded() / ((System.nanoTime() - t0) / 1e9);
      sample = c;
      out.printf(Locale.ROOT, "  round %d: ffmpeg %.0f fps, worker %.0f fps (%d frames, %d sampled)%n",
          r + 1, cli[r], worker[r], c.decoded(), c.frames().size());
    }
    double cliFps = ScreenBench.median(cli);
    double workerFps = ScreenBench.median(worker);

    double[] kafka = topicThroughput(sample.frames(), rounds);
    double decodeRatio = workerFps / cliFps;
    out.printf(Locale.ROOT, "%ndecode   ffmpeg CLI %.0f fps   worker %.0f fps   ratio %.3f%n",
        cliFps, workerFps, decodeRatio);
    out.printf(Locale.ROOT, "topic    bare producer %.1f MiB/s   framewatch (uncompressed) %.1f"
        + " MiB/s   ratio %.3f   (zstd %.1f MiB/s, lz4 %.1f MiB/s; record %d KiB)%n", kafka[0],
        kafka[1], kafka[1] / kafka[0], kafka[2], kafka[3],
        sample.frames().get(0).getSerializedSize() / 1024);
    out.printf(Locale.ROOT, "ratio %.3f%n", decodeRatio);
    return decodeRatio;
  }

  private static FrameCollector runWorker(DecodeConfig cfg, VideoJob job) throws Exception {
    FrameCollector c = new FrameCollector();
    new VideoDecoder(cfg, "bench").decode(job, c);
    if (c.failure() != null) {
      throw new IllegalStateException("decode failed: " + c.failure());
    }
    return c;
  }

  private static double runFfmpeg(String ffmpeg, Path file, int threads) throws IOException,
      InterruptedException {
    Process p = new ProcessBuilder(ffmpeg, "-hide_banner", "-nostdin", "-benchmark", "-threads",
        Integer.toString(threads), "-i", file.toString(), "-f", "null", "-")
        .redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IOException("ffmpeg failed: " + log);
    }
    Matcher f = FRAME.matcher(log);
    long frames = 0;
    while (f.find()) {
      frames = Long.parseLong(f.group(1));
    }
    Matcher t = RTIME.matcher(log);
    if (frames == 0 || !t.find()) {
      throw new IOException("cannot read ffmpeg's -benchmark output: " + log);
    }
    return frames / Double.parseDouble(t.group(1));
  }

  /**
   * MiB/s of frame record bytes: [bare producer, framewatch (uncompressed), zstd, lz4].
   * "Bare" is a KafkaProducer with only what 16 MiB records require (acks=all, max.request.size)
   * sending the same bytes; framewatch's path is KafkaSettings.producer(large) as the decoder uses
   * it. Each measurement sends every record of the clip and waits for all acknowledgements.
   */
  private double[] topicThroughput(List<FrameRecord> frames, int rounds) throws Exception {
    List<byte[]> values = frames.stream().map(FrameRecord::toByteArray).toList();
    long bytes = values.stream().mapToLong(v -> v.length).sum();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(0);
        Admin admin = Admin.create(kafka.settings().admin())) {
      TopicCatalog.ensure(admin, (short) 1);
      Map<String, Object> bare = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap(),
          ProducerConfig.ACKS_CONFIG, "all",
          ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.LARGE_RECORD_BYTES);
      Map<String, Object> fw = kafka.settings().producer("bench", true);
      Map<String, Object> zstd = new java.util.HashMap<>(fw);
      zstd.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
      Map<String, Object> lz4 = new java.util.HashMap<>(fw);
      lz4.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
      List<Map<String, Object>> configs = List.of(bare, fw, zstd, lz4);
      double[][] mibs = new double[configs.size()][rounds];
      for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < configs.size(); i++) {
          mibs[i][r] = send(configs.get(i), values, frames, bytes);
        }
      }
      double[] out = new double[configs.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = ScreenBench.median(mibs[i]);
      }
      return out;
    }
  }

  private static double send(Map<String, Object> config, List<byte[]> values,
      List<FrameRecord> frames, long bytes) throws Exception {
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(config, new ByteArraySerializer(),
        new ByteArraySerializer())) {
      p.send(new ProducerRecord<>(Topics.FRAMES_DETECT.name(), values.get(0))).get();
      long t0 = System.nanoTime();
      for (int i = 0; i < values.size(); i++) {
        byte[] key = Topics.frameKey(frames.get(i).getVideoId(), i)
            .getBytes(StandardCharsets.UTF_8);
        p.send(new ProducerRecord<>(Topics.FRAMES_DETECT.name(), key, values.get(i)));
      }
      p.flush();
      return bytes / 1048576.0 / ((System.nanoTime() - t0) / 1e9);
    }
  }
}
