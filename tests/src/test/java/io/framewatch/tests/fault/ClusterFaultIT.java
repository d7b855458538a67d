package io.framewatch.tests.fault;

import io.framewatch.inference.ModelStore;
import io.framewatch.inference.SampleMedia;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A three-node KRaft cluster (each node broker and controller, in a process of its own;
 * replication 3, min.insync.replicas 2) under the whole pipeline, one node killed with SIGKILL
 * mid-run: the verdicts equal those of a clean run on the same cluster. Fault profile.
 */
class ClusterFaultIT {
  private static final List<StageProcess> nodes = new ArrayList<>();
  private static Fleet fleet;
  private static List<Path> clips;

  @BeforeAll
  static void startCluster() throws Exception {
    Path dir = Files.createTempDirectory("framewatch-cluster");
    Path cache = ModelStore.fromEnvironment().cacheDir();
    clips = List.of(SampleMedia.FRANCK_MP4.fetch(cache), SampleMedia.CAP12_MP4.fetch(cache));
    int[] ports = new int[3];
    int[] controllers = new int[3];
    for (int i = 0; i < 3; i++) {
      ports[i] = Fleet.freePort();
      controllers[i] = Fleet.freePort();
    }
    String voters = java.util.stream.IntStream.range(0, 3)
        .mapToObj(i -> (i + 1) + "@127.0.0.1:" + controllers[i])
        .collect(Collectors.joining(","));
    String clusterId = "fault-" + System.nanoTime();
    for (int i = 0; i < 3; i++) {
      nodes.add(StageProcess.start("broker-" + (i + 1), dir, Map.of(), "broker",
          "--node-id", Integer.toString(i + 1), "--port", Integer.toString(ports[i]),
          "--controller-port", Integer.toString(controllers[i]), "--voters", voters,
          "--cluster-id", clusterId));
    }
    for (StageProcess n : nodes) {
      n.awaitOutput("in cluster " + clusterId, Fleet.START);
    }
    String bootstrap = java.util.Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p)
        .collect(Collectors.joining(","));
    fleet = new Fleet(dir, bootstrap, Map.of("FRAMEWATCH_REPLICATION", "3"));
  }

  @AfterAll
  static void stopCluster() {
    if (fleet != null) {
      fleet.close();
    }
    nodes.forEach(StageProcess::close);
  }

  @Test
  void shouldGiveTheCleanRunsVerdictsWhenABrokerDiesMidRun() throws Exception {
    List<JsonObject> reference = fleet.run(clips, null);
    Fleet.assertSameVerdicts(reference, reference, "clean run on three brokers");
    System.out.printf("cluster reference: %s%n", Fleet.summary(reference));
    List<JsonObject> faulted = fleet.run(clips, first -> {
      fleet.awaitAnalysed(first, 60);
      nodes.get(0).kill();
    });
    System.out.printf("cluster KILL of broker 1: %s%n", Fleet.summary(faulted));
    Fleet.assertSameVerdicts(reference, faulted, "SIGKILL of one of three brokers");
  }
}
