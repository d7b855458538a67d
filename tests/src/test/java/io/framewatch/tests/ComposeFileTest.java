package io.framewatch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.framewatch.runtime.ApiKeys;
import io.framewatch.runtime.Settings;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml must parse. No Docker engine runs here, but the compose CLI validates the
 * file offline ({@code config -q} rejects unknown keys and bad references). .ci/run installs it;
 * where it is absent this test is skipped, not passed.
 */
class ComposeFileTest {

  @Test
  void shouldDescribeAValidComposeDeploymentWithOneServicePerStage() throws Exception {
    Path compose = Path.of("..", "docker-compose.yml").toAbsolutePath().normalize();
    assertTrue(Files.isRegularFile(compose), compose + " exists");
    String yml = Files.readString(compose);
    for (String stage : new String[] {"kafka:", "ingest:", "decode:", "detect:", "enhance:",
        "sink:", "notify:"}) {
      assertTrue(yml.contains("\n  " + stage), "service " + stage);
    }
    composeConfig();
  }

  /** {@code docker-compose config}: validates the file and prints it resolved. */
  private static String composeConfig() throws Exception {
    Path compose = Path.of("..", "docker-compose.yml").toAbsolutePath().normalize();
    boolean haveCli = new ProcessBuilder("sh", "-c", "command -v docker-compose").start()
        .waitFor() == 0;
    assumeTrue(haveCli || System.getenv("CI") != null,
        "docker-compose is not installed (.ci/run installs it)");
    Path err = Files.createTempFile("compose", ".err");
    try {
      ProcessBuilder pb = new ProcessBuilder("docker-compose", "-f", compose.toString(), "config")
          .redirectError(err.toFile());
      // the file refuses to interpolate without API keys, as `docker compose up` would
      pb.environment().put(Settings.API_KEYS.env(),
          ApiKeys.create("compose-test", false).entry());
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, p.exitValue(), "docker-compose config: " + Files.readString(err));
      return out;
    } finally {
      Files.delete(err);
    }
  }

  /**
   * The stages that read or write the media store mount one volume at FRAMEWATCH_MEDIA_DIR:
   * ingest stores uploads, decode reads them and writes evidence, enhance writes super-resolved
   * evidence.
   */
  @Test
  void shouldMountTheMediaStoreInIngestDecodeAndEnhance() throws Exception {
    JsonNode services = new YAMLMapper().readTree(composeConfig()).path("services");
    for (String stage : List.of("ingest", "decode", "enhance")) {
      JsonNode svc = services.path(stage);
      String dir = svc.path("environment").path(Settings.MEDIA_DIR.env()).asText();
      boolean mounted = false;
      for (JsonNode v : svc.path("volumes")) {
        // docker-compose v1 prints "media:/media:rw", v2 {source: media, target: /media}
        mounted |= v.isTextual() ? (v.asText() + ":").startsWith("media:" + dir + ":")
            : v.path("source").asText().equals("media") && v.path("target").asText().equals(dir);
      }
      assertTrue(!dir.isEmpty() && mounted, stage + " mounts the media volume at " + dir + ": "
          + svc.path("volumes"));
    }
  }

  @Test
  void shouldRunTheImageTagThatJibBuilds() throws Exception {
    Path root = Path.of("..").toAbsolutePath().normalize();
    String image = KubernetesManifestsTest.jibImage();
    assertTrue(Files.readString(root.resolve("docker-compose.yml")).contains("image: " + image),
        "docker-compose.yml runs " + image);
    assertTrue(Files.readString(root.resolve("docs").resolve("OPERATIONS.md"))
        .contains("`" + image + "`"), "docs/OPERATIONS.md names " + image);
  }

  /**
   * {@code docker compose up --scale detect=3} must work: a consumer stage publishes no host port
   * and has no fixed container name (either would make a second replica fail to start), and every
   * stage reaches the compose broker; every {@code FRAMEWATCH_*} variable is a setting that parses.
   */
  @Test
  void shouldLetEveryConsumerStageScaleAgainstTheComposeBroker() throws Exception {
    // the file as compose reads it: anchors and merge keys resolved
    JsonNode services = new YAMLMapper().readTree(composeConfig()).path("services");
    JsonNode kafka = services.path("kafka");
    assertTrue(kafka.isObject(), "a kafka service");
    String broker = "kafka:9092";
    assertTrue(kafka.path("environment").path("KAFKA_ADVERTISED_LISTENERS").asText()
        .contains("//" + broker), "the broker advertises " + broker);
    Set<String> stages = KubernetesManifestsTest.stageNames();
    int checked = 0;
    for (var it = services.fields(); it.hasNext(); ) {
      var e = it.next();
      JsonNode svc = e.getValue();
      List<String> command = new ArrayList<>();
      svc.path("command").forEach(c -> command.add(c.asText()));
      if (e.getKey().equals("kafka")) {
        continue;
      }
      assertTrue(command.size() >= 4 && command.get(0).equals("run")
          && stages.contains(command.get(1)), e.getKey() + " runs a stage: " + command);
      int b = command.indexOf("--bootstrap");
      assertTrue(b > 0 && broker.equals(command.get(b + 1)), e.getKey() + " uses " + broker);
      // the anchor's environment and the service's own
      svc.path("environment").fields().forEachRemaining(v -> {
        if (v.getKey().startsWith("FRAMEWATCH_")) {
          KubernetesManifestsTest.checkVariable(v.getKey(), v.getValue().asText(),
              "docker-compose.yml " + e.getKey());
        }
      });
      if (!command.get(1).equals("ingest")) {
        assertTrue(svc.path("ports").isMissingNode(), e.getKey() + " publishes no host port");
        assertTrue(svc.path("container_name").isMissingNode(),
            e.getKey() + " has no fixed container name");
      }
      checked++;
    }
    assertTrue(checked >= 6, "stages checked: " + checked);
  }
}
