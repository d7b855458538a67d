package io.framewatch.ingest;

import static io.framewatch.ingest.view.Records.record;
import static io.framewatch.ingest.view.Records.verdict;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.framewatch.ingest.view.ReadView;
import io.framewatch.ingest.view.ViewLimits;
import io.framewatch.proto.VerdictStatus;
import io.framewatch.topic.Topics;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The event stream towards a client that stops reading. */
class EventStreamFlowTest {

  @TempDir
  Path media;

  @Test
  void shouldHoldBackAClientThatStopsReadingAndCatchItUpWithEveryEventInOrder() throws Exception {
    ReadView view = ReadView.detached(new ViewLimits(10, 10, 10, 5000));
    try (ApiServer server = new ApiServer(Vertx.vertx(), view, media, 1024 * 1024, 60_000);
        Socket client = new Socket()) {
      client.setReceiveBufferSize(4096);
      client.setSoTimeout(30_000);
      client.connect(new InetSocketAddress("127.0.0.1", server.port()));
      client.getOutputStream().write(("GET /v1/events HTTP/1.1\r\nHost: test\r\n"
          + "Authorization: Bearer " + server.key + "\r\nLast-Event-ID: v_a\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      await().until(() -> server.eventClients() == 1);

      // ~13 MB of events while the client reads nothing: far more than socket buffers hold.
      String pad = "x".repeat(4000);
      int n = 3000;
      for (int from = 0; from < n; from += 100) {
        List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
        for (int i = from; i < from + 100; i++) {
          batch.add(record(Topics.VERDICTS, 0, i, "v" + i, verdict("v" + i,
              VerdictStatus.RUNNING, i).toBuilder().setFileName(pad).build()));
        }
        view.apply(batch);
      }

      List<String> ids = new ArrayList<>();
      List<String> comments = new ArrayList<>();
      BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
          StandardCharsets.UTF_8));
      String last = "id: v" + n + "_a";
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.startsWith("id: ")) {
          ids.add(line);
        } else if (line.startsWith(":")) {
          comments.add(line);
        }
        if (line.equals(last)) {
          break;
        }
      }
      List<String> expected = new ArrayList<>();
      for (int i = 1; i <= n; i++) {
        expected.add("id: v" + i + "_a");
      }
      assertEquals(expected, ids, "every event once, in order");
      assertFalse(comments.contains(EventStream.GAP), comments.toString());
      assertEquals(1, server.eventClients(), "still connected");
    }
  }
}
