package io.framewatch.runtime;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Every configuration option of framewatch, in one place: each stage's configuration record reads
 * its options from here, the stage registry builds the model store from here, and the table in
 * docs/OPERATIONS.md is written from here ({@code framewatch config --markdown}; a test fails when
 * the two differ).
 */
public final class Settings {
  private Settings() {}

  /** Where fetched models and footage live. */
  public static final Setting<String> CACHE = Setting.computed("FRAMEWATCH_CACHE",
      "`./.cache` (launcher), else `~/.cache/framewatch`", "all", "fetched models and footage");
  /** User-supplied model manifests. */
  public static final Setting<String> MODELS_DIR = Setting.text("FRAMEWATCH_MODELS_DIR", null,
      "detect, enhance", "user-supplied manifests and ONNX files");

  /** API bind address. */
  public static final Setting<String> HTTP_HOST = Setting.text("FRAMEWATCH_HTTP_HOST", "0.0.0.0",
      "ingest", "interface the API binds");
  /** API port. */
  public static final Setting<Integer> HTTP_PORT = Setting.integer("FRAMEWATCH_HTTP_PORT", 8080,
      "ingest", "API port (0: a free one)");
  /** Media store. */
  public static final Setting<String> MEDIA_DIR = Setting.text("FRAMEWATCH_MEDIA_DIR", "media",
      "ingest, decode, enhance", "media store: uploads are streamed into it, decoders read from it,"
      + " evidence (decode's crops, enhance's super-resolved crops) is written into it");
  /** Upload limit. */
  public static final Setting<Long> MAX_UPLOAD_MB = Setting.longValue("FRAMEWATCH_MAX_UPLOAD_MB",
      2048, "ingest", "larger uploads and URL intakes get 413");

  /** Total time of a URL intake. */
  public static final Setting<Long> INTAKE_TIMEOUT_S = Setting.longValue(
      "FRAMEWATCH_INTAKE_TIMEOUT_S", 900, "ingest",
      "time a URL intake (`POST /v1/videos` with a URL) may take in all, redirects included;"
      + " then 504 (the size limit is FRAMEWATCH_MAX_UPLOAD_MB)");
  /** Idle time of a URL intake. */
  public static final Setting<Long> INTAKE_IDLE_TIMEOUT_S = Setting.longValue(
      "FRAMEWATCH_INTAKE_IDLE_TIMEOUT_S", 30, "ingest",
      "longest wait of a URL intake for its source's next byte (the connect timeout is this, at"
      + " most 10 s); then 504");

  /** API keys, inline. */
  public static final Setting<String> API_KEYS = Setting.text("FRAMEWATCH_API_KEYS", null,
      "ingest", "API key entries `TENANT:SHA256HEX[:admin]`, comma-separated (`framewatch keys"
      + " create` prints one; only hashes are configured)");
  /** API keys, from a file. */
  public static final Setting<String> API_KEY_FILE = Setting.text("FRAMEWATCH_API_KEY_FILE", null,
      "ingest", "file of API key entries, one per line (`#` comments); read with"
      + " FRAMEWATCH_API_KEYS");
  /** Per-tenant limits and retention. */
  public static final Setting<String> TENANT_LIMITS = Setting.text("FRAMEWATCH_TENANT_LIMITS",
      "*: streams=8 uploads=60 stored=100GiB retention=0", "ingest",
      "per tenant, `;`-separated `TENANT: key=value ...` (`*`: tenants not named): `streams` live"
      + " at once, `uploads` per minute, `stored` media bytes (`500MiB`, `50GiB`), `retention`"
      + " (`30d`, `12h`; `0` keeps forever); over a limit the API answers 429 with Retry-After"
      + " (docs/OPERATIONS.md, Limits and retention per tenant)");

  /** Outbound allow-list of stream sources. */
  public static final Setting<String> SOURCE_ALLOW = Setting.text("FRAMEWATCH_SOURCE_ALLOW", null,
      "ingest, decode", "CIDRs and host names, comma-separated, that stream URLs and URL intake"
      + " may reach besides public addresses: private ranges need an entry, loopback/link-local/multicast a CIDR"
      + " (`analyze`, `demo`, `bench`: `127.0.0.0/8,::1` when unset; docs/OPERATIONS.md,"
      + " Outbound allow-list)");

  /** Outbound allow-list of webhook receivers. */
  public static final Setting<String> WEBHOOK_ALLOW = Setting.text("FRAMEWATCH_WEBHOOK_ALLOW", null,
      "ingest, notify", "CIDRs and host names, comma-separated, that webhook URLs may reach besides"
      + " public addresses, as for FRAMEWATCH_SOURCE_ALLOW (`analyze`, `demo`, `bench`:"
      + " `127.0.0.0/8,::1` when unset; docs/OPERATIONS.md, Outbound allow-list)");

  /** Timeline points kept per video by the API's read view. */
  public static final Setting<Integer> API_TIMELINE_POINTS = Setting.integer(
      "FRAMEWATCH_API_TIMELINE_POINTS", 20000, "ingest",
      "score-timeline points the API keeps per video (the newest samples; one per tracked face)");
  /** Alert transitions kept per video by the API's read view. */
  public static final Setting<Integer> API_ALERTS_PER_VIDEO = Setting.integer(
      "FRAMEWATCH_API_ALERTS_PER_VIDEO", 1000, "ingest",
      "alert transitions the API keeps per video (the newest)");
  /** Alert transitions kept for the alert listing. */
  public static final Setting<Integer> API_ALERT_HISTORY = Setting.integer(
      "FRAMEWATCH_API_ALERT_HISTORY", 10000, "ingest",
      "alert transitions of all videos the API keeps for `GET /v1/alerts` (the newest)");
  /** Events kept for resuming the event stream. */
  public static final Setting<Integer> API_EVENT_HISTORY = Setting.integer(
      "FRAMEWATCH_API_EVENT_HISTORY", 5000, "ingest",
      "verdict and alert events the API keeps so `GET /v1/events` can resume from `Last-Event-ID`");

  /** Retention sweep interval. */
  public static final Setting<Integer> RETENTION_SWEEP_SECONDS = Setting.integer(
      "FRAMEWATCH_RETENTION_SWEEP_SECONDS", 600, "ingest",
      "how often ingest deletes finished videos past their tenant's retention time (s; one"
      + " replica at a time sweeps; 0: never; docs/OPERATIONS.md, Retention and deletion)");

  /** Decode consumer group. */
  public static final Setting<String> DECODE_GROUP = Setting.text("FRAMEWATCH_DECODE_GROUP",
      "framewatch-decode", "decode", "consumer group of the decode fleet");
  /** Consumer group of decode's evidence server. */
  public static final Setting<String> EVIDENCE_GROUP = Setting.text("FRAMEWATCH_EVIDENCE_GROUP",
      "framewatch-evidence", "decode", "consumer group of decode's evidence server"
      + " (`evidence.requests`)");
  /** Evidence requests served at once. */
  public static final Setting<Integer> EVIDENCE_WORKERS = Setting.integer(
      "FRAMEWATCH_EVIDENCE_WORKERS", 1, "decode", "evidence requests a decode process serves at"
      + " once (each seeks and decodes one frame of a stored upload)");
  /** Jobs at once per decode process. */
  public static final Setting<Integer> DECODE_WORKERS = Setting.integer(
      "FRAMEWATCH_DECODE_WORKERS", 2, "decode",
      "jobs decoded at once per process (live streams each hold one)");
  /** Jobs accepted beyond those running. */
  public static final Setting<Integer> DECODE_QUEUE = Setting.integer("FRAMEWATCH_DECODE_QUEUE",
      2, "decode", "jobs accepted beyond those running; the rest wait in Kafka");
  /** FFmpeg decoder threads. */
  public static final Setting<Integer> DECODER_THREADS = Setting.integer(
      "FRAMEWATCH_DECODER_THREADS", 1, "decode",
      "FFmpeg decoder threads per job (0 = FFmpeg's choice, a thread per core and one more). One:"
      + " frame threads cost about a quarter more CPU per decoded frame on a host where detect"
      + " runs beside decode (`bench screen`, docs/PERFORMANCE.md), and the stage scales by its"
      + " workers and processes instead; 0 suits one large upload on an idle many-core host");
  /** Decode skipping. */
  public static final Setting<String> DECODE_SKIP = Setting.text("FRAMEWATCH_DECODE_SKIP",
      "auto", "decode", "`auto`: a job sampled at a quarter of the source's frame rate or less"
      + " leaves non-reference frames undecoded (keyframes-only jobs decode keyframes only) and"
      + " the first decoded frame of each sampling slot serves it; `off`: decode every frame"
      + " (docs/OPERATIONS.md, Decode skipping)");
  /** Analysis frame size. */
  public static final Setting<Integer> MAX_ANALYSIS_SIDE = Setting.integer(
      "FRAMEWATCH_MAX_ANALYSIS_SIDE", 640, "decode",
      "long side of analysis frames in pixels (never upscaled)");
  /** Source frame size limit. */
  public static final Setting<Long> MAX_SOURCE_PIXELS = Setting.longValue(
      "FRAMEWATCH_MAX_SOURCE_PIXELS", 8192L * 8192L, "decode",
      "refuse sources with larger frames before decoding");

  /** Detect consumer group. */
  public static final Setting<String> DETECT_GROUP = Setting.text("FRAMEWATCH_DETECT_GROUP",
      "framewatch-detect", "detect", "consumer group of the detect fleet");
  /** Detect consumer threads. */
  public static final Setting<Integer> DETECT_WORKERS = Setting.integer(
      "FRAMEWATCH_DETECT_WORKERS", 1, "detect",
      "consumer threads per process (each with its own model sessions)");
  /** Face detector. */
  public static final Setting<String> DETECTOR = Setting.text("FRAMEWATCH_DETECTOR",
      "blazeface-front-128", "detect", "face detector: `blazeface-front-128` or"
      + " `blazeface-back-256` (small faces)");
  /** Deepfake classifier. */
  public static final Setting<String> CLASSIFIER = Setting.text("FRAMEWATCH_CLASSIFIER",
      "caddm-demo", "detect", "manifest id of the deepfake classifier; `none` reports faces"
      + " without a score. The default is a demonstration model"
      + " ([card](models/caddm-demo.md)), not for production moderation");
  /** Classifier of heavily compressed frames. */
  public static final Setting<String> CLASSIFIER_COMPRESSED = Setting.text(
      "FRAMEWATCH_CLASSIFIER_COMPRESSED", "none", "detect",
      "classifier for heavily compressed frames (needs `FRAMEWATCH_CLASSIFIER`)");
  /** QP from which frames count as heavily compressed. */
  public static final Setting<Float> ROUTE_QP = Setting.decimal("FRAMEWATCH_ROUTE_QP", 35f,
      "detect", "frames whose mean H.264/HEVC block QP is at least this go to the"
      + " compressed-frame classifier, if one is set (x264 CRF 35 / 40 give mean QP 33 / 38;"
      + " routing is off by default: [card](models/caddm-demo.md#compression-and-routing))");
  /** Face probability threshold. */
  public static final Setting<Float> MIN_FACE_SCORE = Setting.decimal(
      "FRAMEWATCH_MIN_FACE_SCORE", 0.5f, "detect", "face probability threshold");
  /** ONNX Runtime threads per session. */
  public static final Setting<Integer> INTRA_OP_THREADS = Setting.integer(
      "FRAMEWATCH_INTRA_OP_THREADS", 1, "detect, enhance",
      "ONNX Runtime threads per session (2 are unstable on 2 cores)");
  /** Inference device. */
  public static final Setting<String> DEVICE = Setting.text("FRAMEWATCH_DEVICE", "auto",
      "detect, enhance", "`auto` (TensorRT if present, else CPU), `cpu` or `tensorrt`"
      + " ([GPU.md](GPU.md))");

  /** Enhance consumer group. */
  public static final Setting<String> ENHANCE_GROUP = Setting.text("FRAMEWATCH_ENHANCE_GROUP",
      "framewatch-enhance", "enhance", "consumer group of the enhance fleet");
  /** Enhance consumer threads. */
  public static final Setting<Integer> ENHANCE_WORKERS = Setting.integer(
      "FRAMEWATCH_ENHANCE_WORKERS", 1, "enhance",
      "consumer threads per process (each with its own session)");
  /** Super-resolution model. */
  public static final Setting<String> SR_MODEL = Setting.text("FRAMEWATCH_SR_MODEL",
      "burstnc-x3", "enhance", "super-resolution model: `burstnc-x3` (bursts of 5), `ncnet-x3`"
      + " (reference frame only) or `none` (bursts are dead-lettered)");

  /** Kafka Streams application id of the sink. */
  public static final Setting<String> SINK_APP_ID = Setting.text("FRAMEWATCH_SINK_APP_ID",
      "framewatch-sink", "sink", "Kafka Streams application id (consumer group, internal topics)");
  /** Kafka Streams state directory. */
  public static final Setting<String> STATE_DIR = Setting.computed("FRAMEWATCH_STATE_DIR",
      "`$TMPDIR/framewatch-state`", "sink", "Kafka Streams state (keep it per cluster)");
  /** Sink commit interval. */
  public static final Setting<Long> SINK_COMMIT_MS = Setting.longValue(
      "FRAMEWATCH_SINK_COMMIT_MS", 500, "sink", "how often verdict updates are published (ms)");
  /** Sink stream threads. */
  public static final Setting<Integer> SINK_THREADS = Setting.integer("FRAMEWATCH_SINK_THREADS",
      1, "sink", "stream threads per process");
  /** Stall timeout. */
  public static final Setting<Long> STALL_SECONDS = Setting.longValue(
      "FRAMEWATCH_STALL_SECONDS", 120, "sink",
      "a running video without progress this long becomes STALLED, naming the stage");

  /** Samples a face may be missing before its track closes. */
  public static final Setting<Integer> TRACK_GAP = Setting.integer("FRAMEWATCH_TRACK_GAP", 4,
      "sink", "samples a face may be missing before its track closes (4 = 2 s at 2 samples/s)");
  /** Evidence faces per track. */
  public static final Setting<Integer> EVIDENCE_PER_TRACK = Setting.integer(
      "FRAMEWATCH_EVIDENCE_PER_TRACK", 3, "sink", "top-scoring faces per track whose aligned crop"
      + " and frame thumbnail decode extracts when an upload's verdict is FINAL (0: none, max 20)");
  /** Faces smaller than this get super-resolved evidence. */
  public static final Setting<Integer> EVIDENCE_SR_MAX_FACE = Setting.integer(
      "FRAMEWATCH_EVIDENCE_SR_MAX_FACE", 96, "sink", "a flagged upload track whose face at its top"
      + " sample is smaller than this (longer side of the box, source pixels) also gets a x3"
      + " super-resolved crop from a 5-frame burst around it (enhance writes it; 0: never)");
  /** Reorder buffer of the face tracker. */
  public static final Setting<Integer> TRACK_WINDOW = Setting.integer("FRAMEWATCH_TRACK_WINDOW",
      64, "sink", "a live stream's analyses held to link faces in sample order before the oldest"
      + " is linked anyway (an upload's wait in the sink's store for their turn: up to 8,192)");
  /** Decision score policy. */
  public static final Setting<String> SCORE_POLICY = Setting.text("FRAMEWATCH_SCORE_POLICY",
      "track-max", "sink", "the score decisions use: `mean` (CADDM's video score), `track-max`"
      + " (highest mean of a track of at least 3 faces: one forged face among real ones is not"
      + " averaged away) or `p90` (of every face); all three are reported");

  /** Live alerts: window length. */
  public static final Setting<Float> ALERT_WINDOW_SECONDS = Setting.decimal(
      "FRAMEWATCH_ALERT_WINDOW_SECONDS", 10f, "sink",
      "live alerts: length of the hopping windows of media time a track's mean P(fake) is taken over");
  /** Live alerts: hop. */
  public static final Setting<Float> ALERT_HOP_SECONDS = Setting.decimal(
      "FRAMEWATCH_ALERT_HOP_SECONDS", 2f, "sink", "live alerts: a window ends every this often");
  /** Live alerts: hold time below the clear threshold. */
  public static final Setting<Float> ALERT_HOLD_SECONDS = Setting.decimal(
      "FRAMEWATCH_ALERT_HOLD_SECONDS", 6f, "sink",
      "live alerts: an open alert clears only after every track stayed below its clear threshold"
      + " this long");
  /** Live alerts: minimum faces of a track in a window. */
  public static final Setting<Integer> ALERT_MIN_FACES = Setting.integer(
      "FRAMEWATCH_ALERT_MIN_FACES", 6, "sink",
      "live alerts: scored faces a track needs in a window before its score counts");
  /** Live alerts: minimum frames in a window. */
  public static final Setting<Integer> ALERT_MIN_FRAMES = Setting.integer(
      "FRAMEWATCH_ALERT_MIN_FRAMES", 10, "sink",
      "live alerts: analysed frames a window needs before it can raise or clear an alert");
  /** Per-model alert thresholds. */
  public static final Setting<String> ALERT_THRESHOLDS = Setting.text(
      "FRAMEWATCH_ALERT_THRESHOLDS", null, "sink",
      "per-classifier `model=raise:clear` pairs, comma-separated (e.g. `caddm-demo=0.8:0.7`);"
      + " models not named use the values recommended from their manifest's held-out figures"
      + " (`framewatch config` prints them; docs/OPERATIONS.md, Alerts)");

  /** Notify consumer group. */
  public static final Setting<String> NOTIFY_GROUP = Setting.text("FRAMEWATCH_NOTIFY_GROUP",
      "framewatch-notify", "notify", "consumer group of the webhook senders");
  /** Webhook subscriptions from configuration. */
  public static final Setting<String> WEBHOOKS = Setting.text("FRAMEWATCH_WEBHOOKS", null,
      "notify", "subscriptions besides those of `POST /v1/webhooks`: `URL#SECRET` entries"
      + " separated by commas or spaces (the secret after the last `#`)");
  /** Delivery attempts before a dead letter. */
  public static final Setting<Integer> WEBHOOK_ATTEMPTS = Setting.integer(
      "FRAMEWATCH_WEBHOOK_ATTEMPTS", 8, "notify",
      "attempts per alert transition and subscription before its dead letter");
  /** First retry wait. */
  public static final Setting<Long> WEBHOOK_BACKOFF_MS = Setting.longValue(
      "FRAMEWATCH_WEBHOOK_BACKOFF_MS", 1000, "notify",
      "wait before the first retry (ms); doubled for each further one");
  /** Longest retry wait. */
  public static final Setting<Long> WEBHOOK_BACKOFF_MAX_MS = Setting.longValue(
      "FRAMEWATCH_WEBHOOK_BACKOFF_MAX_MS", 60_000, "notify", "longest wait between retries (ms)");
  /** Connect timeout. */
  public static final Setting<Long> WEBHOOK_CONNECT_TIMEOUT_MS = Setting.longValue(
      "FRAMEWATCH_WEBHOOK_CONNECT_TIMEOUT_MS", 5000, "notify",
      "TCP/TLS connect timeout of a delivery (ms)");
  /** Request timeout. */
  public static final Setting<Long> WEBHOOK_TIMEOUT_MS = Setting.longValue(
      "FRAMEWATCH_WEBHOOK_TIMEOUT_MS", 10_000, "notify",
      "time a receiver has to answer a delivery (ms); then it counts as failed");
  /** Alert transitions delivered at once. */
  public static final Setting<Integer> NOTIFY_IN_FLIGHT = Setting.integer(
      "FRAMEWATCH_NOTIFY_IN_FLIGHT", 64, "notify",
      "alert transitions a process delivers at once; beyond that its partitions pause");

  /** Replication of created topics. */
  public static final Setting<Integer> REPLICATION = Setting.integer("FRAMEWATCH_REPLICATION", 1,
      "`run`", "replication factor of the topics a `run` creates");
  /** Management address. */
  public static final Setting<String> MANAGEMENT_HOST = Setting.text(
      "FRAMEWATCH_MANAGEMENT_HOST", "0.0.0.0", "`run`", "interface of health and metrics");
  /** Management port. */
  public static final Setting<Integer> MANAGEMENT_PORT = Setting.integer(
      "FRAMEWATCH_MANAGEMENT_PORT", 9400, "`run`",
      "port of `/health/live`, `/health/ready`, `/metrics` (0: a free one, printed at start)");
  /** Exit when a worker dies. */
  public static final Setting<Boolean> EXIT_ON_WORKER_DEATH = Setting.bool(
      "FRAMEWATCH_EXIT_ON_WORKER_DEATH", true, "`run`",
      "exit with status 70 when a worker thread dies, for the orchestrator to restart it");
  /** JVM options, read by the launcher script. */
  public static final Setting<String> JAVA_OPTS = Setting.text("FRAMEWATCH_JAVA_OPTS",
      "-Xmx2g -XX:TieredStopAtLevel=1", "launcher", "JVM options of `./framewatch`. C1 only by"
      + " default: the embedded stack's one JVM compiles some 22,000 methods, and C2 took about a"
      + " third of the CPU of `analyze`'s first uploads (`bench screen`, docs/PERFORMANCE.md)."
      + " The long-running `run` and `broker` default to `-Xmx2g` with full tiered compilation,"
      + " as the container image does");

  /** Every option, in the order the docs list them. */
  public static List<Setting<?>> all() {
    return List.of(CACHE, MODELS_DIR, HTTP_HOST, HTTP_PORT, MEDIA_DIR, MAX_UPLOAD_MB,
        INTAKE_TIMEOUT_S, INTAKE_IDLE_TIMEOUT_S, API_KEYS, API_KEY_FILE, TENANT_LIMITS,
        SOURCE_ALLOW, WEBHOOK_ALLOW, API_TIMELINE_POINTS, API_ALERTS_PER_VIDEO, API_ALERT_HISTORY,
        API_EVENT_HISTORY, RETENTION_SWEEP_SECONDS,
        DECODE_GROUP, DECODE_WORKERS, DECODE_QUEUE, DECODER_THREADS, DECODE_SKIP,
        EVIDENCE_GROUP, EVIDENCE_WORKERS,
        MAX_ANALYSIS_SIDE,
        MAX_SOURCE_PIXELS, DETECT_GROUP, DETECT_WORKERS, DETECTOR, CLASSIFIER,
        CLASSIFIER_COMPRESSED, ROUTE_QP, MIN_FACE_SCORE, INTRA_OP_THREADS, DEVICE,
        ENHANCE_GROUP, ENHANCE_WORKERS, SR_MODEL, SINK_APP_ID, STATE_DIR, SINK_COMMIT_MS,
        SINK_THREADS, STALL_SECONDS, TRACK_GAP, TRACK_WINDOW, EVIDENCE_PER_TRACK, EVIDENCE_SR_MAX_FACE,
        SCORE_POLICY,
        ALERT_WINDOW_SECONDS, ALERT_HOP_SECONDS, ALERT_HOLD_SECONDS, ALERT_MIN_FACES,
        ALERT_MIN_FRAMES, ALERT_THRESHOLDS, NOTIFY_GROUP, WEBHOOKS, WEBHOOK_ATTEMPTS,
        WEBHOOK_BACKOFF_MS, WEBHOOK_BACKOFF_MAX_MS, WEBHOOK_CONNECT_TIMEOUT_MS,
        WEBHOOK_TIMEOUT_MS, NOTIFY_IN_FLIGHT, REPLICATION, MANAGEMENT_HOST, MANAGEMENT_PORT,
        EXIT_ON_WORKER_DEATH, JAVA_OPTS);
  }

  /** The configuration table of docs/OPERATIONS.md. */
  public static String markdownTable() {
    String rows = all().stream().map(s -> "| `" + s.env() + "` | "
        + (s.defaultText() == null ? "unset" : s.defaultText().startsWith("`")
            ? s.defaultText() : "`" + s.defaultText() + "`")
        + " | " + s.stage() + " | " + s.doc() + " |").collect(Collectors.joining("\n"));
    return "| variable | default | read by | meaning |\n|---|---|---|---|\n" + rows + "\n";
  }
}
