package io.framewatch.ingest;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A URL that {@link UrlIntake} may fetch: http or https, with a host, without credentials. The
 * query string is kept exactly as given for the request (a signed URL's signature covers it) and
 * never shown: {@link #redacted()} is the form for logs, messages and records.
 *
 * @param uri the parsed URL
 * @param scheme {@code http} or {@code https}
 * @param host the host as written (IPv6 literals without brackets)
 * @param port the port (the scheme's default when the URL names none)
 */
record IntakeUrl(URI uri, String scheme, String host, int port) {
  /** Longest file name taken from a URL. */
  static final int MAX_FILE_NAME = 128;

  /**
   * Parses and checks a URL's form (the {@link io.framewatch.runtime.OutboundGuard} checks its
   * host).
   *
   * @throws IllegalArgumentException with a reason that never quotes the query string
   */
  static IntakeUrl parse(String url) {
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URL (" + e.getReason() + ")");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("unsupported URL scheme '" + scheme
          + "'; a video is fetched over http or https");
    }
    String host = uri.getHost();
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("the URL has no host");
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException("credentials in the URL are not accepted; use a signed"
          + " URL (the signature in its query string)");
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = uri.getPort() < 0 ? (scheme.equals("https") ? 443 : 80) : uri.getPort();
    return new IntakeUrl(uri, scheme, host, port);
  }

  /** Whether the connection uses TLS. */
  boolean tls() {
    return scheme.equals("https");
  }

  /** The request target: raw path and query as given, so that signatures stay valid. */
  String requestTarget() {
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
  }

  /**
   * The URL as logs, messages and records show it: scheme, host, port and path; a query string is
   * replaced by {@code ?[redacted]} (it may hold a signature or a token), a fragment dropped.
   */
  String redacted() {
    return redact(uri);
  }

  /** {@link #redacted()} of any URI. */
  static String redact(URI u) {
    StringBuilder b = new StringBuilder();
    if (u.getScheme() != null) {
      b.append(u.getScheme()).append("://");
    }
    if (u.getRawAuthority() != null) {
      String authority = u.getRawAuthority();
      b.append(authority.substring(authority.lastIndexOf('@') + 1)); // never credentials
    }
    if (u.getRawPath() != null) {
      b.append(u.getRawPath());
    }
    if (u.getRawQuery() != null) {
      b.append("?[redacted]");
    }
    return b.toString();
  }

  /**
   * The file name the video is shown with: the URL's last path segment, decoded and reduced to
   * letters, digits, dots, dashes and underscores; {@code video} when the path has none.
   */
  String fileName() {
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    int end = path.length();
    while (end > 0 && path.charAt(end - 1) == '/') {
      end--;
    }
    String segment = path.substring(path.lastIndexOf('/', end - 1) + 1, end);
    String decoded;
    try {
      decoded = URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      decoded = segment;
    }
    String safe = decoded.replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("^\\.+", "");
    if (safe.length() > MAX_FILE_NAME) {
      safe = safe.substring(safe.length() - MAX_FILE_NAME);
    }
    return safe.isEmpty() ? "video" : safe;
  }

  /**
   * The target of a redirect ({@code Location}, absolute or relative to this URL), parsed and
   * checked like the URL itself.
   *
   * @throws IllegalArgumentException when it is not an acceptable URL
   */
  IntakeUrl resolve(String location) {
    URI base = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? uri.resolve("/") : uri;
    URI target;
    try {
      target = base.resolve(new URI(location.strip()));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("the redirect target is not a URL (" + e.getReason()
          + ")");
    }
    return parse(target.toString());
  }
}
