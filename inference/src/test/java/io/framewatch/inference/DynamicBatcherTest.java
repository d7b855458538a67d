package io.framewatch.inference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batcher on a real ONNX Runtime session of a graph with known outputs. */
class DynamicBatcherTest {
  @TempDir
  Path dir;
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  private InferenceBackend affine() throws Exception {
    return new OnnxRuntimeBackend("affine", TestGraphs.affine(dir), 1);
  }

  private static Map<String, Tensor> row(float... x) {
    return Map.of("x", new Tensor(new long[] {1, x.length}, x));
  }

  private DistributionSummary batches() {
    return meters.get("framewatch.inference.batch").summary();
  }

  @Test
  void shouldRunRequestsSubmittedTogetherAsBatchesOnTheCallersThread() throws Exception {
    try (DynamicBatcher b = new DynamicBatcher("affine", affine(), 4, Duration.ofSeconds(30), 64,
        meters)) {
      List<Map<String, Tensor>> rows = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        rows.add(row(i, 1 - i, i * 0.25f));
      }
      List<CompletableFuture<Map<String, Tensor>>> futures = b.submitAll(rows);
      // done on return: they ran inline, without waiting out the 30 s batching delay
      for (int i = 0; i < 10; i++) {
        assertTrue(futures.get(i).isDone(), "request " + i + " ran on the caller's thread");
        Tensor y = futures.get(i).get().get("y");
        assertArrayEquals(new long[] {1, 2}, y.shape());
        assertArrayEquals(TestGraphs.affineOf(new float[] {i, 1 - i, i * 0.25f}), y.data(), 1e-5f);
      }
      assertEquals(3, batches().count(), "10 requests in batches of 4, 4 and 2");
      assertEquals(4, batches().max());
    }
  }

  @Test
  void shouldGiveEveryRequestItsOwnResultWhenBatched() throws Exception {
    try (DynamicBatcher b = new DynamicBatcher("affine", affine(), 8, Duration.ofMillis(200), 64,
        meters)) {
      List<CompletableFuture<Map<String, Tensor>>> futures = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        futures.add(b.submit(row(i, -i, i * 0.5f)));
      }
      for (int i = 0; i < 20; i++) {
        Tensor y = futures.get(i).get(10, TimeUnit.SECONDS).get("y");
        assertArrayEquals(new long[] {1, 2}, y.shape());
        assertArrayEquals(TestGraphs.affineOf(new float[] {i, -i, i * 0.5f}), y.data(), 1e-5f);
      }
      assertEquals(20, (long) batches().totalAmount());
      assertTrue(batches().max() > 1, "requests were batched: max " + batches().max());
      assertTrue(batches().max() <= 8);
      assertEquals(20, meters.get("framewatch.inference.latency").timer().count());
    }
  }

  @Test
  void shouldRunAPartialBatchOnceItsDelayExpires() throws Exception {
    try (DynamicBatcher b = new DynamicBatcher("affine", affine(), 8, Duration.ofMillis(500), 64,
        meters)) {
      var f1 = b.submit(row(1, 2, 3));
      var f2 = b.submit(row(4, 5, 6));
      var f3 = b.submit(row(7, 8, 9));
      CompletableFuture.allOf(f1, f2, f3).get(10, TimeUnit.SECONDS);
      assertEquals(1, batches().count(), "one run for the three requests");
      assertEquals(3, (long) batches().totalAmount());
      assertArrayEquals(TestGraphs.affineOf(new float[] {7, 8, 9}), f3.get().get("y").data(),
          1e-5f);
    }
  }

  @Test
  void shouldMakeSubmittersWaitAndRefuseTrySubmitWhenTheQueueIsFull() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(1);
    InferenceBackend real = affine();
    InferenceBackend gated = new InferenceBackend() {
      @Override
      public String device() {
        return real.device();
      }

      @Override
      public List<String> inputNames() {
        return real.inputNames();
      }

      @Override
      public List<String> outputNames() {
        return real.outputNames();
      }

      @Override
      public Map<String, Tensor> run(Map<String, Tensor> inputs) throws InferenceException {
        running.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return real.run(inputs);
      }

      @Override
      public void close() {
        real.close();
      }
    };
    try (DynamicBatcher b = new DynamicBatcher("affine", gated, 2, Duration.ZERO, 2, meters)) {
      var first = b.submit(row(1, 1, 1));
      assertTrue(running.await(10, TimeUnit.SECONDS), "the first request is running");
      var queued1 = b.submit(row(2, 2, 2));
      var queued2 = b.submit(row(3, 3, 3));
      assertEquals(2, b.queued());
      ExecutionException refused = assertThrows(ExecutionException.class,
          () -> b.trySubmit(row(4, 4, 4)).get(1, TimeUnit.SECONDS));
      assertInstanceOf(RejectedExecutionException.class, refused.getCause());
      List<CompletableFuture<Map<String, Tensor>>> late = new ArrayList<>();
      Thread submitter = new Thread(() -> {
        try {
          late.add(b.submit(row(5, 5, 5)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      submitter.start();
      await().atMost(Duration.ofSeconds(10))
          .until(() -> submitter.getState() == Thread.State.WAITING);
      release.countDown();
      submitter.join(10_000);
      for (var f : List.of(first, queued1, queued2, late.get(0))) {
        assertEquals(2, f.get(10, TimeUnit.SECONDS).get("y").data().length);
      }
    }
  }

  @Test
  void shouldRunOnTheCallersThreadWhenTheModelCannotBatchAndNothingWaits() throws Exception {
    try (DynamicBatcher b = new DynamicBatcher("affine", affine(), 1, Duration.ofMillis(50), 4,
        meters)) {
      var f = b.submit(row(1, 0, 0));
      assertTrue(f.isDone(), "no hand-off to the batching thread");
      assertArrayEquals(TestGraphs.affineOf(new float[] {1, 0, 0}), f.get().get("y").data(),
          1e-5f);
    }
  }

  @Test
  void shouldFailOnlyTheMalformedRequestOfABatch() throws Exception {
    try (DynamicBatcher b = new DynamicBatcher("affine", affine(), 8, Duration.ofMillis(50), 64,
        meters)) {
      var good1 = b.submit(row(1, 2, 3));
      var bad = b.submit(row(1, 2, 3, 4));
      var good2 = b.submit(row(3, 2, 1));
      assertArrayEquals(TestGraphs.affineOf(new float[] {1, 2, 3}),
          good1.get(10, TimeUnit.SECONDS).get("y").data(), 1e-5f);
      assertArrayEquals(TestGraphs.affineOf(new float[] {3, 2, 1}),
          good2.get(10, TimeUnit.SECONDS).get("y").data(), 1e-5f);
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> bad.get(10, TimeUnit.SECONDS));
      assertInstanceOf(InferenceException.class, e.getCause());
      assertTrue(e.getCause().getMessage().contains("affine"), e.getCause().getMessage());
    }
  }
}
