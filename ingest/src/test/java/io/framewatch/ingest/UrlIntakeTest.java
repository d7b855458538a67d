package io.framewatch.ingest;

import static io.framewatch.ingest.IntakeFixture.fetch;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.ingest.UrlIntake.Fetched;
import io.framewatch.ingest.UrlIntake.Outcome;
import io.framewatch.ingest.UrlIntake.Refused;
import io.framewatch.proto.VideoEvent;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * URL intake against a real HTTP(S) server: the clip arrives byte for byte, signed query strings
 * reach the source but nothing else, redirects are followed and checked again, the connection
 * goes to the checked address while the name stays the Host, SNI and certificate name.
 */
class UrlIntakeTest {
  private static final String SECRET = "X-Amz-Signature=5ec12e7f00d";
  private static final String SIGNED = "?X-Amz-Credential=AKIA%2F20261201%2Fs3&X-Amz-Expires=300&"
      + SECRET;

  @TempDir
  Path incoming;
  private IntakeFixture fx;
  private UrlIntake intake;

  @BeforeEach
  void start() throws Exception {
    fx = new IntakeFixture(incoming);
    intake = fx.intake();
  }

  @AfterEach
  void stop() throws Exception {
    intake.close();
    fx.close();
  }

  private Fetched fetched(Outcome o) {
    return assertInstanceOf(Fetched.class, o, () -> "refused: " + o);
  }

  @Test
  void shouldFetchARealClipByteForByteAndReportProgressOnTheWay() throws Exception {
    List<long[]> progress = new CopyOnWriteArrayList<>();
    Path target = fx.target();
    Fetched f = fetched(fetch(intake, fx.http("/media/clip.mp4"), target,
        (received, total) -> progress.add(new long[] {received, total})));
    byte[] clip = fx.source.clip();
    assertEquals(target, f.path());
    assertEquals(clip.length, f.bytes());
    assertEquals("mp4", f.container());
    assertEquals("clip.mp4", f.fileName());
    assertArrayEquals(clip, Files.readAllBytes(target));
    // every 64 KiB at least, growing, the total known from Content-Length, the last one complete
    assertTrue(progress.size() >= clip.length / (64 * 1024), progress.size() + " reports");
    for (int i = 1; i < progress.size(); i++) {
      assertTrue(progress.get(i)[0] > progress.get(i - 1)[0], "growing");
    }
    assertEquals(clip.length, progress.get(progress.size() - 1)[0]);
    assertTrue(progress.stream().allMatch(p -> p[1] == clip.length), "total from Content-Length");
    VideoEvent e = UrlIntake.fetchingEvent("v1", 10, clip.length);
    assertEquals(10, e.getFetching().getBytesReceived());
    assertEquals(clip.length, e.getFetching().getBytesTotal());
  }

  @Test
  void shouldStreamAChunkedBodyWithoutALength() throws Exception {
    List<Long> totals = new CopyOnWriteArrayList<>();
    Path target = fx.target();
    Fetched f = fetched(fetch(intake, fx.http("/chunked/clip.mp4"), target,
        (received, total) -> totals.add(total)));
    assertArrayEquals(fx.source.clip(), Files.readAllBytes(target));
    assertEquals(fx.source.clip().length, f.bytes());
    assertTrue(totals.stream().allMatch(t -> t == -1), "no total without Content-Length");
  }

  @Test
  void shouldSendTheSignedQueryStringButNeverShowIt() throws Exception {
    Fetched f = fetched(fetch(intake, fx.http("/media/clip.mp4" + SIGNED), fx.target(), null));
    assertEquals("/media/clip.mp4" + SIGNED, fx.source.seen().get(0).uri(), "sent as signed");
    assertEquals("http://127.0.0.1:" + fx.source.port() + "/media/clip.mp4?[redacted]",
        f.finalUrl());
    Refused r = assertInstanceOf(Refused.class,
        fetch(intake, fx.http("/missing" + SIGNED), fx.target(), null));
    assertEquals(502, r.status());
    assertTrue(r.reason().contains("answered 404"), r.reason());
    assertFalse(r.reason().contains(SECRET), r.reason());
    assertFalse(fx.logs.isEmpty(), "the intake logs");
    assertTrue(fx.logs.stream().noneMatch(l -> l.contains(SECRET) || l.contains("AKIA")),
        fx.logs.toString());
  }

  @Test
  void shouldFollowRedirectsCheckingEachTarget() throws Exception {
    String hop2 = fx.http("/media/clip.mp4" + SIGNED);
    String hop1 = fx.http("/redirect?to=" + enc(hop2));
    Path target = fx.target();
    Fetched f = fetched(fetch(intake, fx.http("/redirect?to=" + enc(hop1)), target, null));
    assertArrayEquals(fx.source.clip(), Files.readAllBytes(target));
    assertEquals("http://127.0.0.1:" + fx.source.port() + "/media/clip.mp4?[redacted]",
        f.finalUrl());
    assertEquals(3, fx.source.seen().size());
    assertEquals("/media/clip.mp4" + SIGNED, fx.source.seen().get(2).uri());
    assertTrue(fx.logs.stream().anyMatch(l -> l.contains("302 to")), fx.logs.toString());
    assertTrue(fx.logs.stream().noneMatch(l -> l.contains(SECRET)), fx.logs.toString());
  }

  @Test
  void shouldRefuseRedirectsToRefusedAddressesBeforeConnecting() throws Exception {
    int port = fx.source.port();
    for (String[] c : new String[][] {
        {"http://169.254.169.254/latest/meta-data/iam/", "is link-local"},
        {"http://meta.test/latest/meta-data/", "is link-local"},
        {"http://127.0.0.2:" + port + "/media/clip.mp4", "is loopback"},
        {"http://[::1]:" + port + "/media/clip.mp4", "is loopback"},
        {"http://10.0.0.7/clip.mp4", "is private"}}) {
      int before = fx.source.seen().size();
      Refused r = assertInstanceOf(Refused.class,
          fetch(intake, fx.http("/redirect?to=" + enc(c[0])), fx.target(), null), c[0]);
      assertEquals(400, r.status(), c[0] + ": " + r.reason());
      assertTrue(r.reason().startsWith("redirect to ") && r.reason().contains(c[1]),
          c[0] + ": " + r.reason());
      assertEquals(before + 1, fx.source.seen().size(), "only the redirect was requested");
    }
    Refused file = assertInstanceOf(Refused.class,
        fetch(intake, fx.http("/redirect?to=" + enc("file:///etc/passwd")), fx.target(), null));
    assertEquals(502, file.status());
    assertTrue(file.reason().contains("unsupported URL scheme 'file'"), file.reason());
    assertEmptyIncoming();
  }

  @Test
  void shouldFollowFiveRedirectsButNotSix() throws Exception {
    String url = fx.http("/media/clip.mp4");
    for (int i = 0; i < 5; i++) {
      url = fx.http("/redirect?to=" + enc(url));
    }
    assertEquals(fx.source.clip().length, fetched(fetch(intake, url, fx.target(), null)).bytes());
    int before = fx.source.seen().size();
    Refused r = assertInstanceOf(Refused.class,
        fetch(intake, fx.http("/redirect?to=" + enc(url)), fx.target(), null));
    assertEquals(502, r.status());
    assertTrue(r.reason().contains("more than 5 redirects"), r.reason());
    assertEquals(before + 6, fx.source.seen().size(), "the first request and five redirects");
  }

  @Test
  void shouldConnectToTheCheckedAddressAndKeepTheNameForTheHostHeader() throws Exception {
    int port = fx.source.port();
    fetched(fetch(intake, "http://media.test:" + port + "/media/a.mp4", fx.target(), null));
    assertEquals("media.test:" + port, fx.source.seen().get(0).host());
    // a rebinding name answers 127.0.0.1 to the check and 10.9.9.9 after: one lookup, one address
    fetched(fetch(intake, "http://rebind.test:" + port + "/media/b.mp4", fx.target(), null));
    assertEquals(1, fx.lookups.get("rebind.test").get(), "resolved once, by the guard");
    assertEquals("rebind.test:" + port, fx.source.seen().get(1).host());
  }

  @Test
  void shouldVerifyTheCertificateAgainstTheNameOverTheCheckedAddress() throws Exception {
    int port = fx.source.tlsPort();
    Path target = fx.target();
    Fetched f = fetched(fetch(intake, "https://media.test:" + port + "/media/clip.mp4" + SIGNED,
        target, null));
    assertArrayEquals(fx.source.clip(), Files.readAllBytes(target));
    assertEquals("https://media.test:" + port + "/media/clip.mp4?[redacted]", f.finalUrl());
    VideoSource.Seen seen = fx.source.seen().get(0);
    assertEquals("media.test", seen.sni(), "SNI is the name");
    assertEquals("media.test:" + port, seen.host());
    Files.delete(target);
    // the same address under a name the certificate is not for: the handshake fails
    Refused r = assertInstanceOf(Refused.class,
        fetch(intake, "https://other.test:" + port + "/media/clip.mp4", fx.target(), null));
    assertEquals(502, r.status());
    assertTrue(r.reason().startsWith("TLS with other.test failed"), r.reason());
    // and by address, as it would be if the connection named the checked IP
    Refused byIp = assertInstanceOf(Refused.class,
        fetch(intake, "https://127.0.0.1:" + port + "/media/clip.mp4", fx.target(), null));
    assertTrue(byIp.reason().startsWith("TLS with 127.0.0.1 failed"), byIp.reason());
    assertEquals(1, fx.source.seen().size(), "no request over an unverified connection");
    assertEmptyIncoming();
  }

  private void assertEmptyIncoming() throws Exception {
    try (var files = Files.list(incoming)) {
      assertEquals(List.of(), files.toList(), "no file left behind");
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
