package io.framewatch.decode;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * FFmpeg input options for a source. Network inputs get 5 s connect and read timeouts: without
 * them a grabber waits forever on a dead socket.
 */
final class SourceOptions {
  /** Read/connect timeout for network sources. */
  static final long TIMEOUT_US = 5_000_000;

  private SourceOptions() {}

  /** Whether {@code uri} is a network source rather than a local file. */
  static boolean isNetwork(String uri) {
    int colon = uri.indexOf("://");
    return colon > 0 && !uri.regionMatches(true, 0, "file", 0, colon);
  }

  /** The options FFmpeg's protocol and demuxer layers take for this source. */
  static Map<String, String> forUri(String uri) {
    Map<String, String> o = new LinkedHashMap<>();
    if (!isNetwork(uri)) {
      return o;
    }
    String scheme = URI.create(uri).getScheme().toLowerCase(Locale.ROOT);
    String t = Long.toString(TIMEOUT_US);
    // rw_timeout works for every protocol that goes through avio (http, tcp, udp, srt, rtmp, hls)
    o.put("rw_timeout", t);
    switch (scheme) {
      case "rtsp", "rtsps" -> {
        o.put("timeout", t); // socket timeout of the RTSP demuxer (microseconds)
        o.put("rtsp_transport", "tcp");
      }
      case "http", "https" -> o.put("timeout", t);
      case "udp", "rtp" -> {
        o.put("timeout", t);
        o.put("fifo_size", "1000000");
        o.put("overrun_nonfatal", "1");
      }
      case "srt" -> o.put("timeout", t);
      case "tcp", "rtmp", "rtmps" -> o.put("listen_timeout", Long.toString(TIMEOUT_US / 1000));
      default -> { }
    }
    return o;
  }
}
