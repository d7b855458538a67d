package io.framewatch.app;

import io.framewatch.runtime.KafkaSettings;
import io.framewatch.topic.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka (KRaft, broker and controller in one) running inside this JVM, on free
 * loopback ports with a temporary log directory. For the demo, one-shot runs and tests; a
 * production deployment runs a real cluster (docker-compose.yml).
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

  private final KafkaRaftServer server;
  private final Path logDir;
  private final String bootstrap;

  private EmbeddedKafka(KafkaRaftServer server, Path logDir, String bootstrap) {
    this.server = server;
    this.logDir = logDir;
    this.bootstrap = bootstrap;
  }

  /**
   * Formats a fresh log directory, starts the node and waits until it answers.
   *
   * @param port broker port, or 0 for a free one
   */
  public static EmbeddedKafka start(int port) throws IOException {
    int brokerPort = port > 0 ? port : freePort();
    int controllerPort = freePort();
    return startNode(1, brokerPort, controllerPort, "1@127.0.0.1:" + controllerPort,
        Uuid.randomUuid().toString());
  }

  /**
   * Starts one node of a KRaft cluster whose every node is broker and controller: a single node
   * when {@code voters} names only this one, else a member of a quorum of up to three, whose
   * internal topics are replicated three times with two in sync required (and topics created
   * with replication 3 inherit min.insync.replicas 2), so the cluster survives one node's loss.
   *
   * @param nodeId this node's id, as in {@code voters}
   * @param brokerPort client port
   * @param controllerPort quorum port
   * @param voters {@code id@host:controllerPort} of every node, comma-separated
   * @param clusterId the same for every node
   */
  public static EmbeddedKafka startNode(int nodeId, int brokerPort, int controllerPort,
      String voters, String clusterId) throws IOException {
    int nodes = voters.split(",").length;
    String rf = Integer.toString(Math.min(nodes, 3));
    String isr = nodes >= 3 ? "2" : "1";
    Path dir = Files.createTempDirectory("framewatch-kafka");
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(nodeId));
    p.put("controller.quorum.voters", voters);
    p.put("min.insync.replicas", isr);
    p.put("default.replication.factor", rf);
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:"
        + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", dir.resolve("data").toString());
    p.put("offsets.topic.replication.factor", rf);
    p.put("offsets.topic.num.partitions", "6");
    p.put("transaction.state.log.replication.factor", rf);
    p.put("transaction.state.log.min.isr", isr);
    p.put("transaction.state.log.num.partitions", "6");
    p.put("share.coordinator.state.topic.replication.factor", rf);
    p.put("share.coordinator.state.topic.min.isr", isr);
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");
    p.put("message.max.bytes", Integer.toString(Topics.LARGE_RECORD_BYTES + 1024));
    p.put("replica.fetch.max.bytes", Integer.toString(Topics.LARGE_RECORD_BYTES + 1024));
    // the OS's socket buffers, which grow with the traffic (frames are half a megabyte), instead
    // of fixed 100 KiB ones
    p.put("socket.send.buffer.bytes", "-1");
    p.put("socket.receive.buffer.bytes", "-1");
    p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
    Path props = dir.resolve("server.properties");
    try (OutputStream out = Files.newOutputStream(props)) {
      p.store(out, "framewatch embedded broker");
    }
    ByteArrayOutputStream formatLog = new ByteArrayOutputStream();
    try (PrintStream ps = new PrintStream(formatLog, true, StandardCharsets.UTF_8)) {
      StorageTool.execute(new String[] {"format", "-t", clusterId, "-c", props.toString()}, ps);
    } catch (Exception e) {
      deleteTree(dir);
      throw new IOException("cannot format the embedded broker's storage: " + e.getMessage()
          + " " + formatLog.toString(StandardCharsets.UTF_8), e);
    }
    KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(p, false), Time.SYSTEM);
    server.startup();
    String bootstrap = "127.0.0.1:" + brokerPort;
    EmbeddedKafka kafka = new EmbeddedKafka(server, dir, bootstrap);
    try (Admin admin = Admin.create(kafka.settings().admin())) {
      admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      kafka.close();
      throw new IOException("embedded broker did not come up: " + e.getMessage(), e);
    }
    LOG.info("embedded Kafka broker at {}", bootstrap);
    return kafka;
  }

  /** {@code host:port} of the broker. */
  public String bootstrap() {
    return bootstrap;
  }

  /** Client settings for this broker. */
  public KafkaSettings settings() {
    return new KafkaSettings(bootstrap);
  }

  @Override
  public void close() {
    try {
      server.shutdown();
      server.awaitShutdown();
    } finally {
      deleteTree(logDir);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      LOG.debug("could not delete {}: {}", dir, e.toString());
    }
  }
}
