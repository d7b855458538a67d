package io.framewatch.tests;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A webhook receiver as a subscriber would write one, on a free loopback port: it checks every
 * call's signature with its own HMAC-SHA256 (not framewatch's code) and the timestamp's age,
 * answers 401 to a bad one, 500 to its first {@code failFirst} calls (or to all, when told), and
 * 200 otherwise; a repeated {@code Idempotency-Key} is answered 200 and dropped, as the contract
 * asks of receivers, and counted so that a test can assert there were none.
 */
public final class WebhookReceiver implements AutoCloseable {
  /** Oldest timestamp accepted, as a receiver guarding against replays would. */
  private static final long MAX_AGE_SECONDS = 300;

  /**
   * One call as received.
   *
   * @param key its Idempotency-Key
   * @param event its X-Framewatch-Event
   * @param subscription its X-Framewatch-Subscription
   * @param signatureValid whether signature and timestamp checked out
   * @param status what the receiver answered
   * @param body the request body
   */
  public record Call(String key, String event, String subscription, boolean signatureValid,
      int status, String body) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<Call> calls = new ArrayList<>();
  private final Set<String> accepted = new LinkedHashSet<>();
  private volatile String secret;
  private volatile int failFirst;
  private volatile boolean alwaysFail;
  private int repeats;

  private WebhookReceiver(String secret, int failFirst) throws IOException {
    this.secret = secret;
    this.failFirst = failFirst;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/hook", this::handle);
    server.start();
  }

  /**
   * Starts a receiver.
   *
   * @param secret the subscription's secret; null until {@link #secret(String)} sets it (a
   *     generated one is known only once the subscription exists)
   * @param failFirst how many of its first calls it answers 500
   */
  public static WebhookReceiver start(String secret, int failFirst) throws IOException {
    return new WebhookReceiver(secret, failFirst);
  }

  /** Its URL. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  /** Sets the secret signatures are checked against. */
  public void secret(String s) {
    this.secret = s;
  }

  /** From now on, answers every call 500 ({@code true}) or as before ({@code false}). */
  public void failAll(boolean fail) {
    this.alwaysFail = fail;
  }

  private void handle(HttpExchange ex) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    var h = ex.getRequestHeaders();
    String key = h.getFirst("Idempotency-Key");
    boolean valid = verify(h.getFirst("X-Framewatch-Timestamp"),
        h.getFirst("X-Framewatch-Signature"), body)
        && "application/json".equals(h.getFirst("Content-Type")) && key != null;
    int status;
    synchronized (this) {
      if (!valid) {
        status = 401;
      } else if (alwaysFail || calls.size() < failFirst) {
        status = 500;
      } else {
        status = 200;
        if (!accepted.add(key)) {
          repeats++;
        }
      }
      calls.add(new Call(key, h.getFirst("X-Framewatch-Event"),
          h.getFirst("X-Framewatch-Subscription"), valid, status, body));
    }
    ex.sendResponseHeaders(status, -1);
    ex.close();
  }

  private boolean verify(String timestamp, String signature, String body) {
    String s = secret;
    if (s == null || timestamp == null || signature == null || !signature.startsWith("v1=")) {
      return false;
    }
    try {
      long ts = Long.parseLong(timestamp);
      if (Math.abs(System.currentTimeMillis() / 1000 - ts) > MAX_AGE_SECONDS) {
        return false;
      }
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(s.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] expected = mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
      byte[] given = HexFormat.of().parseHex(signature.substring(3));
      return MessageDigest.isEqual(expected, given); // constant time
    } catch (NumberFormatException | GeneralSecurityException e) {
      return false;
    }
  }

  /** Every call so far, in arrival order. */
  public synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  /** Idempotency keys accepted (answered 200 the first time), in order. */
  public synchronized List<String> accepted() {
    return new ArrayList<>(accepted);
  }

  /** Calls answered 200 whose key had been accepted before (redeliveries a receiver drops). */
  public synchronized int repeats() {
    return repeats;
  }

  /** Calls whose signature, timestamp or headers did not check out. */
  public synchronized long badSignatures() {
    return calls.stream().filter(c -> !c.signatureValid()).count();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
