package io.framewatch.decode;

import io.framewatch.runtime.OutboundGuard;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What FFmpeg opens for a network source: the host is resolved and checked by the
 * {@link OutboundGuard} right before every open (and reopen), and for plain-text protocols the URL
 * names the checked IP literal, so FFmpeg connects to the very address that was checked: a name
 * that answers differently the next time (DNS rebinding) cannot redirect it. HTTP keeps the
 * original name in the {@code Host} header.
 *
 * <p>TLS schemes (https, rtsps, rtmps) keep the name: with an IP literal FFmpeg sends no SNI, and
 * most TLS servers and CDNs need it. Their check is made at resolve time immediately before the
 * open; FFmpeg then resolves the name again itself, so a rebinding DNS server with a zero TTL
 * could still answer differently within that window (docs/OPERATIONS.md, Outbound allow-list).
 *
 * @param url the URL to hand FFmpeg
 * @param options FFmpeg options (the source's, plus {@code headers} for HTTP)
 * @param decision the checked destination
 * @param pinned whether {@code url} names the checked address (false for TLS schemes)
 */
record SourceTarget(String url, Map<String, String> options, OutboundGuard.Decision decision,
    boolean pinned) {
  /** Schemes whose connection can be pinned to an IP literal without losing anything. */
  static final Set<String> PINNABLE = Set.of("http", "rtsp", "rtmp", "tcp", "udp", "rtp", "srt");

  /**
   * Resolves and checks {@code uri}'s host.
   *
   * @throws SourceRefusedException naming the address and its class when the guard refuses it
   */
  static SourceTarget of(String uri, Map<String, String> options, OutboundGuard guard)
      throws SourceRefusedException {
    URI u;
    try {
      u = new URI(uri);
    } catch (URISyntaxException e) {
      throw new SourceRefusedException("not a URL: " + e.getMessage());
    }
    String host = u.getHost();
    if (host == null || host.isBlank()) {
      throw new SourceRefusedException("source URL has no host that can be checked: " + uri);
    }
    OutboundGuard.Decision d;
    try {
      d = guard.check(host);
    } catch (OutboundGuard.Refused e) {
      throw new SourceRefusedException(e.getMessage());
    }
    String scheme = u.getScheme().toLowerCase(Locale.ROOT);
    if (!PINNABLE.contains(scheme)) {
      return new SourceTarget(uri, options, d, false);
    }
    int at = uri.indexOf("://") + 3;
    String authority = u.getRawAuthority();
    if (at < 3 || !uri.startsWith(authority, at)) {
      throw new SourceRefusedException("source URL has an authority that cannot be checked: "
          + uri);
    }
    String pinnedAuthority = (u.getRawUserInfo() != null ? u.getRawUserInfo() + "@" : "")
        + d.urlHost() + (u.getPort() >= 0 ? ":" + u.getPort() : "");
    String pinnedUrl = uri.substring(0, at) + pinnedAuthority
        + uri.substring(at + authority.length());
    Map<String, String> o = new LinkedHashMap<>(options);
    if (scheme.equals("http")) {
      String hostHeader = host + (u.getPort() >= 0 ? ":" + u.getPort() : "");
      o.merge("headers", "Host: " + hostHeader + "\r\n", (a, b) -> b + a);
    }
    return new SourceTarget(pinnedUrl, o, d, true);
  }
}
