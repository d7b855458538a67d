package io.framewatch.ingest;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;

/**
 * Which stream URLs the API accepts: network protocols FFmpeg opens, never {@code file:}, pipes
 * or bare paths, so that a caller cannot make a decode worker read its own disk.
 */
public final class StreamUrls {
  /** Accepted schemes (HLS is http(s) with a .m3u8 path). */
  public static final Set<String> SCHEMES =
      Set.of("http", "https", "rtsp", "rtsps", "rtmp", "rtmps", "srt", "udp", "rtp", "tcp");

  private StreamUrls() {}

  /**
   * Checks a URL's form (the {@link io.framewatch.runtime.OutboundGuard} checks its host).
   *
   * @return the URL's host (IPv6 literals in brackets)
   * @throws IllegalArgumentException with the reason when it is not acceptable
   */
  public static String check(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!SCHEMES.contains(scheme)) {
      throw new IllegalArgumentException("unsupported stream scheme '" + scheme + "'; use one of "
          + new java.util.TreeSet<>(SCHEMES));
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      throw new IllegalArgumentException("stream URL has no host: " + url);
    }
    return uri.getHost();
  }
}
