package io.framewatch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
    boolean haveCli = new ProcessBuilder("sh", "-c", "command -v docker-compose").start()
        .waitFor() == 0;
    assumeTrue(haveCli || System.getenv("CI") != null,
        "docker-compose is not installed (.ci/run installs it)");
    Process p = new ProcessBuilder("docker-compose", "-f", compose.toString(), "config", "-q")
        .redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), "docker-compose config: " + out);
  }

  @Test
  void shouldRunTheImageTagThatJibBuilds() throws Exception {
    Path root = Path.of("..").toAbsolutePath().normalize();
    String parent = Files.readString(root.resolve("pom.xml"));
    java.util.regex.Matcher version = java.util.regex.Pattern
        .compile("<artifactId>framewatch-parent</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(parent);
    assertTrue(version.find(), "the parent pom's version");
    java.util.regex.Matcher to = java.util.regex.Pattern.compile("<to><image>([^<]+)</image></to>")
        .matcher(Files.readString(root.resolve("app").resolve("pom.xml")));
    assertTrue(to.find(), "Jib's target image in app/pom.xml");
    String image = to.group(1).replace("${project.version}", version.group(1));
    assertTrue(Files.readString(root.resolve("docker-compose.yml")).contains("image: " + image),
        "docker-compose.yml runs " + image);
    assertTrue(Files.readString(root.resolve("docs").resolve("OPERATIONS.md"))
        .contains("`" + image + "`"), "docs/OPERATIONS.md names " + image);
  }
}
