package io.framewatch.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.proto.VideoEvent;
import io.framewatch.proto.VideoJob;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.runtime.OutboundGuard;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SourceTargetTest {
  /** cam.lan answers 10.0.0.7; rebind.example answers public, then metadata (a rebinding DNS). */
  private static final class Dns implements OutboundGuard.Resolver {
    int rebindCalls;

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
      return switch (host) {
        case "cam.lan" -> new InetAddress[] {InetAddress.getByName("10.0.0.7")};
        case "cdn.example" -> new InetAddress[] {InetAddress.getByName("93.184.216.34")};
        case "v6.example" -> new InetAddress[] {InetAddress.getByName("2001:db8::5")};
        case "rebind.example" -> new InetAddress[] {InetAddress.getByName(
            rebindCalls++ == 0 ? "93.184.216.34" : "169.254.169.254")};
        default -> throw new UnknownHostException(host);
      };
    }
  }

  private final Dns dns = new Dns();

  @Test
  void shouldPinPlainProtocolsToTheCheckedAddressAndKeepTheHostHeader() throws Exception {
    OutboundGuard g = OutboundGuard.of("cam.lan", dns);
    SourceTarget http = SourceTarget.of("http://cam.lan:8080/live/a.m3u8?x=1&y=%20",
        Map.of("timeout", "5"), g);
    assertTrue(http.pinned());
    assertEquals("http://10.0.0.7:8080/live/a.m3u8?x=1&y=%20", http.url());
    assertEquals("Host: cam.lan:8080\r\n", http.options().get("headers"));
    assertEquals("5", http.options().get("timeout"));
    SourceTarget rtsp = SourceTarget.of("rtsp://admin:pw@cam.lan/stream1", Map.of(), g);
    assertEquals("rtsp://admin:pw@10.0.0.7/stream1", rtsp.url());
    assertFalse(rtsp.options().containsKey("headers"));
    assertEquals("srt://[2001:db8:0:0:0:0:0:5]:9000?mode=caller",
        SourceTarget.of("srt://v6.example:9000?mode=caller", Map.of(), g).url());
  }

  @Test
  void shouldCheckButNotPinTlsSchemesSoSniStays() throws Exception {
    SourceTarget https = SourceTarget.of("https://cdn.example/a.m3u8", Map.of(),
        OutboundGuard.of(null, dns));
    assertFalse(https.pinned());
    assertEquals("https://cdn.example/a.m3u8", https.url());
    assertEquals("93.184.216.34", https.decision().address().getHostAddress());
  }

  @Test
  void shouldRefuseBeforeEveryOpenSoARebindingNameIsCaughtOnReconnect() throws Exception {
    OutboundGuard g = OutboundGuard.of(null, dns);
    assertEquals("http://93.184.216.34/x.ts",
        SourceTarget.of("http://rebind.example/x.ts", Map.of(), g).url());
    SourceRefusedException e = assertThrows(SourceRefusedException.class,
        () -> SourceTarget.of("http://rebind.example/x.ts", Map.of(), g));
    assertTrue(e.getMessage().contains("169.254.169.254 (rebind.example resolves to it) is"
        + " link-local"), e.getMessage());
    assertThrows(SourceRefusedException.class,
        () -> SourceTarget.of("http://cam.lan/x", Map.of(), g));
  }

  @Test
  void shouldPublishAFailureNamingTheClassWhenTheSourceIsRefused() throws Exception {
    DecodeConfig cfg = new DecodeConfig(new KafkaSettings("127.0.0.1:9"), "g", 1, 640,
        8192L * 8192, 1, 0);
    for (boolean live : new boolean[] {false, true}) {
      VideoDecoderTest.Collect out = new VideoDecoderTest.Collect();
      long t0 = System.nanoTime();
      new VideoDecoder(cfg, "test").decode(VideoJob.newBuilder().setVideoId("v").setLive(live)
          .setSourceUri("http://127.0.0.1:1/live.ts").build(), out);
      VideoEvent last = out.last();
      assertTrue(last.hasFailure(), last.toString());
      assertEquals("decode", last.getFailure().getStage());
      assertTrue(last.getFailure().getReason().contains("127.0.0.1 is loopback"),
          last.getFailure().getReason());
      assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "refused at once, without retries");
    }
  }
}
