package io.framewatch.ingest;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StreamUrlsTest {

  @Test
  void shouldAcceptNetworkStreams() {
    for (String url : new String[] {"rtsp://cam.local:554/live", "https://cdn.example/hls/a.m3u8",
        "srt://10.0.0.5:9000?mode=caller", "udp://239.0.0.1:1234", "rtmp://ingest/app/key"}) {
      assertDoesNotThrow(() -> StreamUrls.check(url), url);
    }
  }

  @Test
  void shouldRefuseLocalFilesPipesAndGarbageWithAReason() {
    IllegalArgumentException file = assertThrows(IllegalArgumentException.class,
        () -> StreamUrls.check("file:///etc/passwd"));
    assertTrue(file.getMessage().contains("unsupported stream scheme 'file'"));
    assertThrows(IllegalArgumentException.class, () -> StreamUrls.check("/etc/passwd"));
    assertThrows(IllegalArgumentException.class, () -> StreamUrls.check("pipe:0"));
    assertThrows(IllegalArgumentException.class, () -> StreamUrls.check("http://"));
    assertThrows(IllegalArgumentException.class, () -> StreamUrls.check("rtsp://a b"));
  }
}
