package io.framewatch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.framewatch.app.Main;
import io.framewatch.runtime.Setting;
import io.framewatch.runtime.Settings;
import io.framewatch.topic.Topic;
import io.framewatch.topic.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The Kubernetes manifests (deploy/k8s) against the code: every {@code FRAMEWATCH_*} variable is in
 * the configuration registry ({@link Settings}) and parses; every probe and scrape annotation is
 * on the management server's paths and port; every workload runs a stage of {@code framewatch run}
 * with the image Jib builds; every KEDA trigger names the stage's input topic ({@link Topics}), the
 * stage's consumer group (the registry's default) and the bootstrap servers the stage uses. The
 * raw files are always checked; the kustomize output of the base and of each overlay is checked
 * where {@code kubectl} or {@code kustomize} is installed (skipped, not passed, elsewhere).
 */
class KubernetesManifestsTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path K8S = ROOT.resolve("deploy").resolve("k8s");
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final String LIVE = "/health/live";
  private static final String READY = "/health/ready";
  private static final String METRICS = "/metrics";

  /**
   * The topic each consumer stage reads with its consumer group (DecodeApp, DetectApp, EnhanceApp,
   * NotifyApp). The sink (Kafka Streams) and ingest are not scaled on lag.
   */
  private static final Map<String, Topic<?, ?>> INPUT = Map.of(
      "decode", Topics.VIDEO_JOBS,
      "detect", Topics.FRAMES_DETECT,
      "enhance", Topics.FRAMES_ENHANCE,
      "notify", Topics.ALERTS);

  @Test
  void shouldMatchTheCodeInEveryManifestFile() throws IOException {
    List<JsonNode> base = new ArrayList<>();
    List<JsonNode> overlays = new ArrayList<>();
    try (Stream<Path> files = Files.walk(K8S)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        if (f.getFileName().toString().equals("kustomization.yaml")) {
          continue;
        }
        (f.startsWith(K8S.resolve("base")) ? base : overlays).addAll(read(Files.readString(f)));
      }
    }
    assertFalse(base.isEmpty(), "manifests under " + K8S.resolve("base"));
    check(base, "deploy/k8s/base");
    // an overlay's own resources may only be config: its ConfigMap keys are checked like the base's
    for (JsonNode doc : overlays) {
      checkConfigMap(doc, "deploy/k8s/overlays");
    }
  }

  @Test
  void shouldMatchTheCodeInWhatKustomizeBuilds() throws Exception {
    List<String> build = kustomizeCommand();
    assumeTrue(build != null, "neither kubectl nor kustomize is installed");
    List<Path> dirs = new ArrayList<>(List.of(K8S.resolve("base")));
    try (Stream<Path> overlays = Files.list(K8S.resolve("overlays"))) {
      overlays.filter(Files::isDirectory).sorted().forEach(dirs::add);
    }
    assertTrue(dirs.size() > 1, "at least one overlay");
    for (Path dir : dirs) {
      List<String> cmd = new ArrayList<>(build);
      cmd.add(dir.toString());
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "kustomize " + dir + " finishes");
      assertEquals(0, p.exitValue(), String.join(" ", cmd) + " succeeds");
      check(read(out), ROOT.relativize(dir) + " (kustomize output)");
    }
  }

  /** Every check over one set of resources that is applied together. */
  private static void check(List<JsonNode> docs, String where) {
    Map<String, Map<String, String>> configMaps = new HashMap<>();
    for (JsonNode doc : docs) {
      if (checkConfigMap(doc, where)) {
        configMaps.put(doc.path("metadata").path("name").asText(), stringMap(doc.path("data")));
      }
    }
    Set<String> stages = stageNames();
    String image = jibImage();
    Map<String, Workload> byStage = new TreeMap<>();
    Map<String, Workload> byName = new HashMap<>();
    for (JsonNode doc : docs) {
      String kind = doc.path("kind").asText();
      if (!kind.equals("Deployment") && !kind.equals("StatefulSet")) {
        continue;
      }
      JsonNode pod = doc.path("spec").path("template");
      for (JsonNode c : pod.path("spec").path("containers")) {
        if (!c.path("image").asText().startsWith("framewatch/")) {
          continue;
        }
        String id = where + ": " + kind + " " + doc.path("metadata").path("name").asText();
        Workload w = workload(id, kind, doc, pod, c, configMaps, image, stages);
        assertTrue(byStage.put(w.stage(), w) == null, id + ": a second workload of " + w.stage());
        byName.put(kind + "/" + doc.path("metadata").path("name").asText(), w);
      }
    }
    assertEquals(stages, byStage.keySet(), where + ": one workload per stage of `framewatch run`");
    checkMedia(docs, byStage, where);
    checkServices(docs, byStage.values(), where);
    checkScaledObjects(docs, byName, where);
  }

  private record Workload(String id, String stage, String bootstrap, Map<String, String> env,
      Map<String, Integer> ports, JsonNode pod, JsonNode container) {}

  private static Workload workload(String id, String kind, JsonNode doc, JsonNode pod,
      JsonNode c, Map<String, Map<String, String>> configMaps, String image, Set<String> stages) {
    assertEquals(image, c.path("image").asText(), id + ": runs the image Jib builds");
    assertTrue(c.path("command").isMissingNode(),
        id + ": no `command` (it would replace the image's entrypoint, the CLI); use `args`");
    List<String> args = strings(c.path("args"));
    assertEquals(4, args.size(), id + ": args are run STAGE --bootstrap HOST:PORT, not " + args);
    assertEquals("run", args.get(0), id);
    String stage = args.get(1);
    assertTrue(stages.contains(stage), id + ": '" + stage + "' is a stage of `framewatch run` "
        + stages);
    assertEquals("--bootstrap", args.get(2), id);
    assertFalse(args.get(3).isBlank(), id + ": bootstrap servers");

    Map<String, String> env = new HashMap<>();
    for (JsonNode from : c.path("envFrom")) {
      String name = from.path("configMapRef").path("name").asText();
      assertTrue(configMaps.containsKey(name), id + ": envFrom ConfigMap " + name + " exists");
      env.putAll(configMaps.get(name));
    }
    for (JsonNode e : c.path("env")) {
      String name = e.path("name").asText();
      checkVariable(name, e.path("value").asText(null), id);
      env.put(name, e.path("value").asText());
    }
    int management = Settings.MANAGEMENT_PORT.read(env);
    Map<String, Integer> ports = new HashMap<>();
    for (JsonNode p : c.path("ports")) {
      ports.put(p.path("name").asText(), p.path("containerPort").asInt());
    }
    assertTrue(ports.containsValue(management),
        id + ": declares the management port " + management);

    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      JsonNode get = c.path(probe).path("httpGet");
      if (probe.equals("startupProbe") && c.path(probe).isMissingNode()) {
        continue;
      }
      assertFalse(get.isMissingNode(), id + ": an HTTP " + probe);
      String path = get.path("path").asText();
      assertEquals(probe.equals("readinessProbe") ? READY : LIVE, path, id + ": " + probe + " path");
      assertEquals(management, port(get.path("port"), ports, id + ": " + probe),
          id + ": " + probe + " on the management port (FRAMEWATCH_MANAGEMENT_PORT)");
    }
    JsonNode ann = pod.path("metadata").path("annotations");
    assertEquals("true", ann.path("prometheus.io/scrape").asText(), id + ": prometheus.io/scrape");
    assertEquals(METRICS, ann.path("prometheus.io/path").asText(), id + ": prometheus.io/path");
    assertEquals(Integer.toString(management), ann.path("prometheus.io/port").asText(),
        id + ": prometheus.io/port is the management port");

    if (stage.equals("ingest")) {
      assertTrue(ports.containsValue(Settings.HTTP_PORT.read(env)),
          id + ": declares the API port (FRAMEWATCH_HTTP_PORT) " + Settings.HTTP_PORT.read(env));
    }
    if (stage.equals("sink")) {
      String state = env.get(Settings.STATE_DIR.env());
      assertNotNull(state, id + ": sets " + Settings.STATE_DIR.env());
      assertNotNull(mountAt(pod, c, state), id + ": the Kafka Streams state dir " + state
          + " is on a volume");
      if (kind.equals("StatefulSet")) {
        String volume = mountAt(pod, c, state).path("name").asText();
        boolean claimed = false;
        for (JsonNode t : doc.path("spec").path("volumeClaimTemplates")) {
          claimed |= t.path("metadata").path("name").asText().equals(volume);
        }
        assertTrue(claimed || volumeOf(pod, volume) != null, id + ": volume " + volume + " exists");
      }
    }
    return new Workload(id, stage, args.get(3), env, ports, pod, c);
  }

  /** Ingest, decode and enhance share one ReadWriteMany claim at FRAMEWATCH_MEDIA_DIR. */
  private static void checkMedia(List<JsonNode> docs, Map<String, Workload> byStage,
      String where) {
    Set<String> claims = new LinkedHashSet<>();
    // enhance writes evidence bursts' super-resolved crops into the store
    for (String stage : List.of("ingest", "decode", "enhance")) {
      Workload w = byStage.get(stage);
      String dir = Settings.MEDIA_DIR.read(w.env());
      JsonNode mount = mountAt(w.pod(), w.container(), dir);
      assertNotNull(mount, w.id() + ": the media store " + dir + " is on a volume");
      JsonNode volume = volumeOf(w.pod(), mount.path("name").asText());
      assertNotNull(volume, w.id() + ": volume " + mount.path("name").asText());
      String claim = volume.path("persistentVolumeClaim").path("claimName").asText(null);
      assertNotNull(claim, w.id() + ": the media volume is a PersistentVolumeClaim");
      claims.add(claim);
    }
    assertEquals(1, claims.size(), where + ": ingest, decode and enhance mount the same media claim");
    JsonNode pvc = find(docs, "PersistentVolumeClaim", claims.iterator().next());
    assertNotNull(pvc, where + ": PersistentVolumeClaim " + claims);
    assertTrue(strings(pvc.path("spec").path("accessModes")).contains("ReadWriteMany"),
        where + ": the media claim is ReadWriteMany (pods of all three stages on any node)");
  }

  /** A Service in front of a stage targets ports its container declares. */
  private static void checkServices(List<JsonNode> docs, Iterable<Workload> workloads,
      String where) {
    boolean ingestServed = false;
    for (JsonNode svc : docs) {
      if (!svc.path("kind").asText().equals("Service")) {
        continue;
      }
      Map<String, String> selector = stringMap(svc.path("spec").path("selector"));
      for (Workload w : workloads) {
        Map<String, String> labels = stringMap(w.pod().path("metadata").path("labels"));
        if (selector.isEmpty() || !labels.entrySet().containsAll(selector.entrySet())) {
          continue;
        }
        String id = where + ": Service " + svc.path("metadata").path("name").asText();
        for (JsonNode p : svc.path("spec").path("ports")) {
          JsonNode target = p.has("targetPort") ? p.path("targetPort") : p.path("port");
          int port = port(target, w.ports(), id);
          assertTrue(w.ports().containsValue(port), id + ": targets a port of " + w.id());
          if (w.stage().equals("ingest") && port == Settings.HTTP_PORT.read(w.env())) {
            ingestServed = true;
          }
        }
      }
    }
    assertTrue(ingestServed, where + ": a Service exposes ingest's API port");
  }

  /** One ScaledObject per consumer stage, on its input topic, group and bootstrap servers. */
  private static void checkScaledObjects(List<JsonNode> docs, Map<String, Workload> byName,
      String where) {
    Set<String> topics = Topics.all().stream().map(Topic::name).collect(Collectors.toSet());
    Set<String> scaled = new TreeSet<>();
    for (JsonNode so : docs) {
      if (!so.path("kind").asText().equals("ScaledObject")) {
        continue;
      }
      String id = where + ": ScaledObject " + so.path("metadata").path("name").asText();
      assertEquals("keda.sh/v1alpha1", so.path("apiVersion").asText(), id);
      JsonNode ref = so.path("spec").path("scaleTargetRef");
      String target = ref.path("kind").asText("Deployment") + "/" + ref.path("name").asText();
      Workload w = byName.get(target);
      assertNotNull(w, id + ": scales a framewatch workload, not " + target);
      Topic<?, ?> input = INPUT.get(w.stage());
      assertNotNull(input, id + ": " + w.stage() + " is a consumer stage scaled on lag "
          + INPUT.keySet());
      assertTrue(scaled.add(w.stage()), id + ": a second ScaledObject for " + w.stage());
      JsonNode triggers = so.path("spec").path("triggers");
      assertEquals(1, triggers.size(), id + ": one trigger");
      JsonNode t = triggers.get(0);
      assertEquals("kafka", t.path("type").asText(), id + ": a kafka trigger");
      JsonNode m = t.path("metadata");
      String topic = m.path("topic").asText();
      assertTrue(topics.contains(topic), id + ": topic '" + topic + "' is in Topics " + topics);
      assertEquals(input.name(), topic, id + ": the topic " + w.stage() + " consumes");
      Setting<?> group = setting("FRAMEWATCH_" + w.stage().toUpperCase() + "_GROUP");
      assertNotNull(group, id + ": the registry has " + w.stage() + "'s group");
      assertFalse(w.env().containsKey(group.env()), w.id() + ": keeps " + group.env()
          + "'s default, which the trigger names");
      assertEquals(group.read(Map.of()), m.path("consumerGroup").asText(),
          id + ": the consumer group of " + w.stage() + " (" + group.env() + ")");
      assertEquals(w.bootstrap(), m.path("bootstrapServers").asText(),
          id + ": the bootstrap servers " + w.stage() + " uses");
      assertTrue(m.path("lagThreshold").asText().matches("[1-9][0-9]*"),
          id + ": lagThreshold is a positive integer");
      int max = so.path("spec").path("maxReplicaCount").asInt(100);
      assertTrue(max <= input.partitions(), id + ": maxReplicaCount " + max
          + " not above the partitions of " + topic + " (" + input.partitions() + ")");
    }
    assertEquals(INPUT.keySet(), scaled, where + ": a ScaledObject per consumer stage");
  }

  /** Checks a framewatch-* ConfigMap's keys; true when {@code doc} is a ConfigMap. */
  private static boolean checkConfigMap(JsonNode doc, String where) {
    if (!doc.path("kind").asText().equals("ConfigMap")) {
      return false;
    }
    String id = where + ": ConfigMap " + doc.path("metadata").path("name").asText();
    stringMap(doc.path("data")).forEach((k, v) -> {
      if (k.startsWith("FRAMEWATCH_") || k.equals(k.toUpperCase())) {
        checkVariable(k, v, id);
      }
    });
    return true;
  }

  static void checkVariable(String name, String value, String id) {
    Setting<?> s = setting(name);
    assertNotNull(s, id + ": " + name + " is in the configuration registry (Settings.all())");
    if (value != null) {
      try {
        s.read(Map.of(name, value));
      } catch (IllegalArgumentException e) {
        fail(id + ": " + name + "=" + value + " does not parse: " + e.getMessage());
      }
    }
  }

  private static Setting<?> setting(String name) {
    return Settings.all().stream().filter(s -> s.env().equals(name)).findFirst().orElse(null);
  }

  private static int port(JsonNode port, Map<String, Integer> named, String id) {
    if (port.isInt() || port.asText().matches("[0-9]+")) {
      return port.asInt();
    }
    Integer p = named.get(port.asText());
    assertNotNull(p, id + ": port '" + port.asText() + "' is a named port of the container");
    return p;
  }

  private static JsonNode mountAt(JsonNode pod, JsonNode c, String dir) {
    for (JsonNode m : c.path("volumeMounts")) {
      if (Path.of(dir).normalize().equals(Path.of(m.path("mountPath").asText()).normalize())) {
        return m;
      }
    }
    return null;
  }

  private static JsonNode volumeOf(JsonNode pod, String name) {
    for (JsonNode v : pod.path("spec").path("volumes")) {
      if (v.path("name").asText().equals(name)) {
        return v;
      }
    }
    return null;
  }

  private static JsonNode find(List<JsonNode> docs, String kind, String name) {
    return docs.stream().filter(d -> d.path("kind").asText().equals(kind)
        && d.path("metadata").path("name").asText().equals(name)).findFirst().orElse(null);
  }

  /** The stages {@code framewatch run} takes, from its help text (STAGE's description). */
  static Set<String> stageNames() {
    String help = new CommandLine(Main.class).getSubcommands().get("run")
        .getUsageMessage(CommandLine.Help.Ansi.OFF);
    Matcher m = Pattern.compile("^\\s+STAGE\\s+(.+?) or all\\s*$", Pattern.MULTILINE)
        .matcher(help);
    assertTrue(m.find(), "`framewatch run` help names its stages: " + help);
    Set<String> names = new TreeSet<>();
    for (String s : m.group(1).split(",")) {
      names.add(s.strip());
    }
    assertTrue(names.size() >= 6, "stages " + names);
    return names;
  }

  /** The image Jib builds: app/pom.xml's target with the project version. */
  static String jibImage() {
    try {
      Matcher version = Pattern
          .compile("<artifactId>framewatch-parent</artifactId>\\s*<version>([^<]+)</version>")
          .matcher(Files.readString(ROOT.resolve("pom.xml")));
      assertTrue(version.find(), "the parent pom's version");
      Matcher to = Pattern.compile("<to><image>([^<]+)</image></to>")
          .matcher(Files.readString(ROOT.resolve("app").resolve("pom.xml")));
      assertTrue(to.find(), "Jib's target image in app/pom.xml");
      return to.group(1).replace("${project.version}", version.group(1));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<JsonNode> read(String yaml) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
      while (it.hasNext()) {
        JsonNode d = it.next();
        if (d != null && d.isObject() && ((ObjectNode) d).size() > 0) {
          docs.add(d);
        }
      }
    }
    return docs;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static Map<String, String> stringMap(JsonNode object) {
    Map<String, String> out = new TreeMap<>();
    object.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  private static List<String> kustomizeCommand() throws InterruptedException, IOException {
    if (onPath("kustomize")) {
      return List.of("kustomize", "build");
    }
    return onPath("kubectl") ? List.of("kubectl", "kustomize") : null;
  }

  private static boolean onPath(String tool) throws InterruptedException, IOException {
    return new ProcessBuilder("sh", "-c", "command -v " + tool).start().waitFor() == 0;
  }
}
