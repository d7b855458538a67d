package io.framewatch.inference;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Collects single-sample requests for one model instance into batches of up to {@code maxBatch},
 * waiting at most {@code maxDelay} after the first request of a batch. The queue is bounded:
 * {@link #submit} blocks when it is full (back-pressure), {@link #trySubmit} fails fast. Each
 * request has its own future; when a batch fails, its requests are retried one by one so that one
 * bad request does not fail the others. Latency (queue + run) and batch sizes are recorded in
 * Micrometer as {@code framewatch.inference.latency} and {@code framewatch.inference.batch}.
 *
 * <p>When the model cannot batch ({@code maxBatch} 1) and nothing is waiting, a request runs at
 * once on the submitting thread instead of being handed to the batching thread: batching has
 * nothing to gain there, and the two thread hand-offs would cost a quarter of a millisecond per
 * request on a busy 2-core machine (docs/PERFORMANCE.md).
 *
 * <p>Requests carry every model input with a leading batch dimension of 1; results carry every
 * output with a leading dimension of 1. Requests whose shapes differ are never batched together.
 */
public final class DynamicBatcher implements AutoCloseable {
  private final String modelId;
  private final InferenceBackend backend;
  private final int maxBatch;
  private final long maxDelayNanos;
  private final BlockingQueue<Request> queue;
  private final Thread worker;
  private final Timer latency;
  private final DistributionSummary batchSizes;
  private final java.util.concurrent.locks.ReentrantLock runLock =
      new java.util.concurrent.locks.ReentrantLock();
  private volatile boolean running = true;

  private record Request(Map<String, Tensor> inputs, long enqueuedNanos,
      CompletableFuture<Map<String, Tensor>> result) {}

  /**
   * Starts the batching thread. The batcher owns {@code backend} and closes it.
   *
   * @param modelId model id, used in metric tags and errors
   * @param backend the model instance (used by the batching thread only)
   * @param maxBatch largest batch to run (1 for models with a fixed batch of 1)
   * @param maxDelay how long a batch waits for more requests after its first
   * @param queueCapacity requests waiting at most; beyond it submitters wait
   * @param registry where latency and batch-size meters go
   */
  public DynamicBatcher(String modelId, InferenceBackend backend, int maxBatch, Duration maxDelay,
      int queueCapacity, MeterRegistry registry) {
    if (maxBatch < 1 || queueCapacity < 1 || maxDelay.isNegative()) {
      throw new IllegalArgumentException("batcher for " + modelId
          + " needs maxBatch >= 1, queueCapacity >= 1 and maxDelay >= 0");
    }
    this.modelId = modelId;
    this.backend = backend;
    this.maxBatch = maxBatch;
    this.maxDelayNanos = maxDelay.toNanos();
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    this.latency = Timer.builder("framewatch.inference.latency")
        .description("request latency from submit to result, queueing included")
        .tags("model", modelId, "device", backend.device())
        .publishPercentileHistogram()
        .register(registry);
    this.batchSizes = DistributionSummary.builder("framewatch.inference.batch")
        .description("requests per model run").tags("model", modelId).register(registry);
    Gauge.builder("framewatch.inference.queue", queue, BlockingQueue::size)
        .tags("model", modelId).register(registry);
    this.worker = new Thread(this::loop, "framewatch-batcher-" + modelId);
    worker.setDaemon(true);
    worker.start();
  }

  /**
   * Queues one request, waiting while the queue is full.
   *
   * @throws InterruptedException when interrupted while waiting for room
   */
  public CompletableFuture<Map<String, Tensor>> submit(Map<String, Tensor> inputs)
      throws InterruptedException {
    Request r = request(inputs);
    if (r.result().isDone() || runInline(r)) {
      return r.result();
    }
    queue.put(r);
    return r.result();
  }

  /**
   * Submits requests that a caller holds together (the faces of a frame, of one poll). When
   * nothing is queued and the model is idle they run at once on the caller's thread, in batches
   * of up to {@code maxBatch} (requests of different shapes apart): the batch is already whole, so
   * waiting for more or handing it to the batching thread has nothing to gain. Otherwise each is
   * queued as by {@link #submit}, to be batched with what is waiting.
   *
   * @return one future per request, in order
   * @throws InterruptedException when interrupted while waiting for room
   */
  public List<CompletableFuture<Map<String, Tensor>>> submitAll(List<Map<String, Tensor>> inputs)
      throws InterruptedException {
    List<Request> requests = new ArrayList<>(inputs.size());
    for (Map<String, Tensor> in : inputs) {
      requests.add(request(in));
    }
    List<CompletableFuture<Map<String, Tensor>>> futures = new ArrayList<>(requests.size());
    requests.forEach(r -> futures.add(r.result()));
    if (!running) {
      return futures;
    }
    if (queue.isEmpty() && runLock.tryLock()) {
      try {
        for (List<Request> group : bySignature(requests)) {
          for (int i = 0; i < group.size(); i += maxBatch) {
            execute(group.subList(i, Math.min(group.size(), i + maxBatch)));
          }
        }
        return futures;
      } finally {
        runLock.unlock();
      }
    }
    for (Request r : requests) {
      queue.put(r);
    }
    return futures;
  }

  /** Queues one request, or fails it at once with {@link RejectedExecutionException} when full. */
  public CompletableFuture<Map<String, Tensor>> trySubmit(Map<String, Tensor> inputs) {
    Request r = request(inputs);
    if (!r.result().isDone() && !runInline(r) && !queue.offer(r)) {
      r.result().completeExceptionally(new RejectedExecutionException("model " + modelId
          + ": request queue full (" + queue.size() + " waiting)"));
    }
    return r.result();
  }

  /** Runs {@code r} on the caller's thread if the model cannot batch and nothing is waiting. */
  private boolean runInline(Request r) {
    if (maxBatch > 1 || !queue.isEmpty() || !runLock.tryLock()) {
      return false;
    }
    try {
      execute(List.of(r));
      return true;
    } finally {
      runLock.unlock();
    }
  }

  private Request request(Map<String, Tensor> inputs) {
    CompletableFuture<Map<String, Tensor>> f = new CompletableFuture<>();
    if (!running) {
      f.completeExceptionally(new RejectedExecutionException("batcher of " + modelId + " closed"));
    }
    return new Request(Map.copyOf(inputs), System.nanoTime(), f);
  }

  private void loop() {
    List<Request> batch = new ArrayList<>(maxBatch);
    while (running) {
      try {
        Request first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        long deadline = first.enqueuedNanos() + maxDelayNanos;
        while (batch.size() < maxBatch) {
          long wait = deadline - System.nanoTime();
          Request next = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
          if (next == null) {
            break;
          }
          batch.add(next);
        }
        runLock.lock();
        try {
          for (List<Request> group : bySignature(batch)) {
            execute(group);
          }
        } finally {
          runLock.unlock();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } finally {
        batch.clear();
      }
    }
    Request r;
    while ((r = queue.poll()) != null) {
      r.result().completeExceptionally(new CancellationException("batcher closed"));
    }
  }

  /** Splits a batch into runs of requests whose inputs have the same names and shapes. */
  private static List<List<Request>> bySignature(List<Request> batch) {
    Map<String, List<Request>> groups = new LinkedHashMap<>();
    for (Request r : batch) {
      StringBuilder sig = new StringBuilder();
      r.inputs().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .forEach(e -> sig.append(e.getKey()).append(Arrays.toString(e.getValue().shape())));
      groups.computeIfAbsent(sig.toString(), k -> new ArrayList<>()).add(r);
    }
    return new ArrayList<>(groups.values());
  }

  private void execute(List<Request> group) {
    if (group.size() > 1) {
      try {
        List<Map<String, Tensor>> inputs = new ArrayList<>(group.size());
        for (Request r : group) {
          inputs.add(r.inputs());
        }
        List<Map<String, Tensor>> outs =
            Batches.split(backend.runBatch(inputs), group.size());
        batchSizes.record(group.size());
        for (int i = 0; i < group.size(); i++) {
          complete(group.get(i), outs.get(i), null);
        }
        return;
      } catch (Exception e) {
        // fall through: run each request alone so only the bad one fails
      }
    }
    for (Request r : group) {
      try {
        Map<String, Tensor> out = backend.run(r.inputs());
        batchSizes.record(1);
        complete(r, out, null);
      } catch (Exception e) {
        batchSizes.record(1);
        complete(r, null, e);
      }
    }
  }

  private void complete(Request r, Map<String, Tensor> out, Exception e) {
    latency.record(System.nanoTime() - r.enqueuedNanos(), TimeUnit.NANOSECONDS);
    if (e != null) {
      r.result().completeExceptionally(e);
    } else {
      r.result().complete(out);
    }
  }

  /** Requests waiting to be batched. */
  public int queued() {
    return queue.size();
  }

  /** Stops the batching thread, fails waiting requests and closes the backend. */
  @Override
  public void close() {
    running = false;
    try {
      worker.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    backend.close();
  }
}
