package io.framewatch.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The form of intake URLs: schemes, redaction of query strings, file names, redirects. */
class IntakeUrlTest {
  private static final String SIGNED = "https://bucket.example.com/up%20loads/clip%2B1.mp4"
      + "?X-Amz-Credential=AKIA%2F20261201&X-Amz-Signature=deadbeefcafe";

  @Test
  void shouldKeepTheQueryForTheRequestButRedactItEverywhereElse() {
    IntakeUrl u = IntakeUrl.parse(SIGNED);
    assertEquals("/up%20loads/clip%2B1.mp4?X-Amz-Credential=AKIA%2F20261201"
        + "&X-Amz-Signature=deadbeefcafe", u.requestTarget(), "sent exactly as signed");
    assertEquals("https://bucket.example.com/up%20loads/clip%2B1.mp4?[redacted]", u.redacted());
    assertFalse(u.redacted().contains("deadbeef"));
    assertEquals("clip_1.mp4", u.fileName());
    assertTrue(u.tls());
    assertEquals(443, u.port());
    assertEquals(80, IntakeUrl.parse("http://h.example/a").port());
    assertEquals("/", IntakeUrl.parse("http://h.example").requestTarget());
  }

  @Test
  void shouldRefuseOtherSchemesCredentialsAndHostlessUrlsWithoutQuotingTheQuery() {
    for (String[] c : new String[][] {
        {"file:///etc/passwd", "unsupported URL scheme 'file'"},
        {"ftp://h.example/a.mp4", "unsupported URL scheme 'ftp'"},
        {"rtsp://cam.example/live", "unsupported URL scheme 'rtsp'"},
        {"/videos/a.mp4", "unsupported URL scheme ''"},
        {"http:///a.mp4", "no host"},
        {"https://user:secret@h.example/a.mp4?sig=s3cr3t", "credentials in the URL"},
        {"https://h.example/a b.mp4?sig=s3cr3t", "not a URL"}}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> IntakeUrl.parse(c[0]), c[0]);
      assertTrue(e.getMessage().contains(c[1]), c[0] + ": " + e.getMessage());
      assertFalse(e.getMessage().contains("s3cr3t") || e.getMessage().contains("secret"),
          e.getMessage());
    }
  }

  @Test
  void shouldNameTheFileAfterTheLastPathSegment() {
    assertEquals("video", IntakeUrl.parse("https://h.example/").fileName());
    assertEquals("video", IntakeUrl.parse("https://h.example").fileName());
    assertEquals("b.webm", IntakeUrl.parse("https://h.example/a/b.webm/").fileName());
    assertEquals("_etc_passwd", IntakeUrl.parse("https://h.example/..%2Fetc%2Fpasswd").fileName(),
        "never a path");
  }

  @Test
  void shouldResolveRelativeAndAbsoluteRedirectsAndCheckTheirForm() {
    IntakeUrl u = IntakeUrl.parse("http://h.example:8080/a/b.mp4?sig=1");
    assertEquals("http://h.example:8080/a/c.mp4?[redacted]", u.resolve("c.mp4?sig=2").redacted());
    assertEquals("http://h.example:8080/x.mp4", u.resolve("/x.mp4").redacted());
    assertEquals("https://cdn.example/y.mp4", u.resolve("https://cdn.example/y.mp4").redacted());
    assertEquals("cdn.example", u.resolve("//cdn.example/z.mp4").host());
    assertThrows(IllegalArgumentException.class, () -> u.resolve("file:///etc/passwd"));
    assertEquals("::1", IntakeUrl.parse("http://[::1]:9/a").host());
  }
}
