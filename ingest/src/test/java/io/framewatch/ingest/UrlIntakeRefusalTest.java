package io.framewatch.ingest;

import static io.framewatch.ingest.IntakeFixture.LIMITS;
import static io.framewatch.ingest.IntakeFixture.fetch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.ingest.UrlIntake.Limits;
import io.framewatch.ingest.UrlIntake.Outcome;
import io.framewatch.ingest.UrlIntake.Refused;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every refusal of URL intake, each with its status, against a real server: refused address
 * classes before any connection, bad URLs, sizes by Content-Length and by count, non-videos,
 * upstream errors and timeouts. No refusal leaves a file behind.
 */
class UrlIntakeRefusalTest {
  @TempDir
  Path incoming;
  private IntakeFixture fx;

  @BeforeEach
  void start() throws Exception {
    fx = new IntakeFixture(incoming);
  }

  @AfterEach
  void stop() throws Exception {
    fx.close();
    try (var files = Files.list(incoming)) {
      assertEquals(List.of(), files.toList(), "no file left behind");
    }
  }

  private Refused refused(UrlIntake intake, String url) throws Exception {
    Path target = fx.target();
    Outcome o = fetch(intake, url, target, null);
    assertTrue(Files.notExists(target), url + ": partial file deleted");
    return assertInstanceOf(Refused.class, o, url);
  }

  private void assertRefused(UrlIntake intake, String url, int status, String why)
      throws Exception {
    Refused r = refused(intake, url);
    assertEquals(status, r.status(), url + ": " + r.reason());
    assertTrue(r.reason().contains(why), url + ": " + r.reason());
  }

  @Test
  void shouldRefuseEveryForbiddenAddressClassBeforeConnecting() throws Exception {
    int port = fx.source.port();
    try (UrlIntake intake = fx.intake(null, LIMITS)) { // the default: nothing but public
      for (String[] c : new String[][] {
          {"http://127.0.0.1:" + port + "/media/clip.mp4", "is loopback"},
          {"http://media.test:" + port + "/media/clip.mp4", "is loopback"},
          {"http://[::1]:" + port + "/media/clip.mp4", "is loopback"},
          {"http://[::ffff:127.0.0.1]:" + port + "/media/clip.mp4", "is loopback"},
          {"http://169.254.169.254/latest/meta-data/", "is link-local"},
          {"http://meta.test/latest/meta-data/", "is link-local"},
          {"http://[fe80::1]/clip.mp4", "is link-local"},
          {"http://224.0.0.1/clip.mp4", "is multicast"},
          {"http://[ff02::1]/clip.mp4", "is multicast"},
          {"http://0.0.0.0:" + port + "/media/clip.mp4", "is unspecified"},
          {"http://[::]:" + port + "/media/clip.mp4", "is unspecified"},
          {"http://10.0.0.5/clip.mp4", "is private"},
          {"https://192.168.1.9/clip.mp4", "is private"},
          {"http://100.64.0.9/clip.mp4", "is shared (CGNAT)"},
          {"http://nowhere.test/clip.mp4", "does not resolve"}}) {
        assertRefused(intake, c[0], 400, c[1]);
      }
    }
    assertEquals(List.of(), fx.source.seen(), "no connection reached the server");
  }

  @Test
  void shouldTryAPrivateAddressOnlyWhenTheAllowListNamesIt() throws Exception {
    Limits quick = new Limits(LIMITS.maxBytes(), 500, 500, 20_000, LIMITS.progressBytes(),
        LIMITS.progressMs());
    try (UrlIntake intake = fx.intake("10.0.0.0/8", quick)) {
      Refused r = refused(intake, "http://10.255.255.1:9/clip.mp4");
      // allowed: the guard lets it through and the connection fails (nothing listens there)
      assertNotEquals(400, r.status(), r.reason());
      assertTrue(r.status() == 502 || r.status() == 504, r.reason());
    }
  }

  @Test
  void shouldRefuseBadUrlsWith400() throws Exception {
    try (UrlIntake intake = fx.intake()) {
      assertRefused(intake, "file:///etc/passwd", 400, "unsupported URL scheme 'file'");
      assertRefused(intake, "ftp://127.0.0.1/clip.mp4", 400, "unsupported URL scheme 'ftp'");
      assertRefused(intake, "http://user:pw@127.0.0.1/clip.mp4", 400, "credentials");
      assertRefused(intake, "not a url", 400, "not a URL");
    }
    assertEquals(List.of(), fx.source.seen());
  }

  @Test
  void shouldRefuseABodyLargerThanTheLimitByItsLengthBeforeReadingIt() throws Exception {
    AtomicLong progress = new AtomicLong();
    try (UrlIntake intake = fx.intake()) {
      Refused r = assertInstanceOf(Refused.class, fetch(intake, fx.http("/declared-big"),
          fx.target(), (received, total) -> progress.set(received)));
      assertEquals(413, r.status());
      assertTrue(r.reason().contains("has 2097152 bytes, more than the limit of 1 MB"),
          r.reason());
      assertEquals(0, progress.get(), "nothing read");
    }
  }

  @Test
  void shouldCutOffABodyThatGrowsPastTheLimitAndDeleteThePartialFile() throws Exception {
    AtomicLong progress = new AtomicLong();
    try (UrlIntake intake = fx.intake()) {
      Path target = fx.target();
      Refused r = assertInstanceOf(Refused.class, fetch(intake, fx.http("/endless"), target,
          (received, total) -> progress.set(received)));
      assertEquals(413, r.status());
      assertTrue(r.reason().contains("sent more than the limit of 1 MB"), r.reason());
      assertTrue(progress.get() > 0, "the partial file was being written");
      assertTrue(Files.notExists(target), "and is deleted");
    }
  }

  @Test
  void shouldRefuseWhatIsNotAVideoLikeUploads() throws Exception {
    try (UrlIntake intake = fx.intake()) {
      assertRefused(intake, fx.http("/text.txt"), 415,
          "not a video: 'text.txt' looks like text, not a video container");
      assertRefused(intake, fx.http("/empty"), 415, "empty body");
    }
  }

  @Test
  void shouldRefuseUpstreamErrorsWith502NamingTheStatus() throws Exception {
    try (UrlIntake intake = fx.intake()) {
      assertRefused(intake, fx.http("/missing"), 502, "the source answered 404 Not Found");
      assertRefused(intake, fx.http("/short"), 502, "");
      // a port nothing listens on
      assertRefused(intake, "http://127.0.0.1:1/clip.mp4", 502, "the connection to 127.0.0.1");
    }
  }

  @Test
  void shouldTimeOutASourceThatStalls() throws Exception {
    Limits idle = new Limits(LIMITS.maxBytes(), 1000, 1000, 20_000, LIMITS.progressBytes(),
        LIMITS.progressMs());
    try (UrlIntake intake = fx.intake("127.0.0.1/32", idle)) {
      Path warm = fx.target(); // a cold first request could take longer than the 1 s tried here
      assertInstanceOf(UrlIntake.Fetched.class, fetch(intake, fx.http("/media/a.mp4"), warm, null));
      Files.delete(warm);
      assertRefused(intake, fx.http("/stall-head"), 504, "no answer from 127.0.0.1 for 1 s");
      Refused body = refused(intake, fx.http("/stall-body"));
      assertEquals(504, body.status(), body.reason());
      assertTrue(body.reason().contains("stopped sending after 4096 bytes for 1 s"),
          body.reason());
    }
  }

  @Test
  void shouldEndAFetchThatTakesLongerThanTheTotalLimit() throws Exception {
    Limits total = new Limits(LIMITS.maxBytes(), 5000, 5000, 1500, LIMITS.progressBytes(), 100);
    AtomicLong progress = new AtomicLong();
    try (UrlIntake warmUp = fx.intake(); UrlIntake intake = fx.intake("127.0.0.1/32", total)) {
      Path warm = fx.target();
      assertInstanceOf(UrlIntake.Fetched.class, fetch(warmUp, fx.http("/media/a.mp4"), warm, null));
      Files.delete(warm);
      Path target = fx.target();
      Refused r = assertInstanceOf(Refused.class, fetch(intake, fx.http("/drip"), target,
          (received, t) -> progress.set(received)));
      assertEquals(504, r.status());
      assertTrue(r.reason().contains("took longer than 1500 ms (FRAMEWATCH_INTAKE_TIMEOUT_S)"),
          r.reason());
      assertTrue(progress.get() > 0, "it was receiving (every byte within the idle timeout)");
      assertTrue(Files.notExists(target));
    }
  }
}
