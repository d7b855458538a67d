package io.framewatch.runtime;

import io.framewatch.topic.Topic;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The {@link Output} of one input record: counts its sends until each is acknowledged and keeps
 * the failed ones for resending. Only failed records are held, so a job that publishes for hours
 * (a live stream) holds no more than its unacknowledged tail.
 */
final class TrackedOutput implements Output {
  private final Producer<byte[], byte[]> producer;
  private final Retry retry;
  private final Consumer<String> acked;
  private final Supplier<Boolean> cancelled;
  private final List<ProducerRecord<byte[], byte[]>> failed = new ArrayList<>();
  private Exception lastError;
  private int pending;

  /**
   * @param producer the loop's producer
   * @param retry resend policy for failed records
   * @param acked told the topic of every acknowledged record (metrics)
   * @param cancelled whether the work was cancelled (stops resending)
   */
  TrackedOutput(Producer<byte[], byte[]> producer, Retry retry, Consumer<String> acked,
      Supplier<Boolean> cancelled) {
    this.producer = producer;
    this.retry = retry;
    this.acked = acked;
    this.cancelled = cancelled;
  }

  @Override
  public <K, V> void send(Topic<K, V> topic, K key, V value) {
    send(topic.record(key, value));
  }

  @Override
  public void send(ProducerRecord<byte[], byte[]> r) {
    synchronized (this) {
      pending++;
    }
    try {
      producer.send(r, (meta, e) -> done(r, e));
    } catch (RuntimeException e) {
      done(r, e);
    }
  }

  private synchronized void done(ProducerRecord<byte[], byte[]> r, Exception e) {
    pending--;
    if (e != null) {
      failed.add(r);
      lastError = e;
    } else {
      acked.accept(r.topic());
    }
    notifyAll();
  }

  @Override
  public void flush() throws PublishException, InterruptedException {
    producer.flush();
    List<ProducerRecord<byte[], byte[]>> retrying = awaitAcks();
    for (int attempt = 1; !retrying.isEmpty(); attempt++) {
      if (attempt > retry.attempts() || cancelled.get()) {
        Exception cause;
        synchronized (this) {
          cause = lastError;
        }
        throw new PublishException("could not publish " + retrying.size() + " record(s) to "
            + retrying.get(0).topic() + " after " + retry.attempts() + " resend(s): "
            + describe(cause), cause);
      }
      Thread.sleep(retry.backoff(attempt).toMillis());
      List<ProducerRecord<byte[], byte[]>> still = new ArrayList<>();
      for (ProducerRecord<byte[], byte[]> r : retrying) {
        try {
          producer.send(r).get(2, TimeUnit.MINUTES);
          acked.accept(r.topic());
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
          synchronized (this) {
            lastError = e instanceof ExecutionException && e.getCause() instanceof Exception c
                ? c : e;
          }
          still.add(r);
        }
      }
      retrying = still;
    }
  }

  /** Waits until no send is outstanding; returns (and forgets) the failed records. */
  private synchronized List<ProducerRecord<byte[], byte[]>> awaitAcks()
      throws InterruptedException {
    while (pending > 0) {
      wait(1000);
    }
    List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(failed);
    failed.clear();
    return out;
  }

  static String describe(Throwable e) {
    if (e == null) {
      return "unknown error";
    }
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
