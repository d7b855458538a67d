package io.framewatch.inference;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * SHA-256 of files, streamed. Digests are remembered per process for files whose identity, size
 * and modification time have not changed, so that every worker opening the same model (detect/
 * and enhance/ open one backend per worker) does not re-read hundreds of megabytes.
 */
public final class Sha256 {
  private record Seen(Object fileKey, long size, long modifiedNanos) {}

  private static final Map<Path, Map.Entry<Seen, String>> KNOWN = new ConcurrentHashMap<>();

  private Sha256() {}

  /** Lower-case hex SHA-256 of a file. */
  public static String of(Path file) throws IOException {
    Path key = file.toAbsolutePath().normalize();
    Seen before = seen(key);
    Map.Entry<Seen, String> known = KNOWN.get(key);
    if (known != null && known.getKey().equals(before)) {
      return known.getValue();
    }
    String digest = read(key);
    if (before.equals(seen(key))) { // not changed while it was read
      KNOWN.put(key, Map.entry(before, digest));
    }
    return digest;
  }

  private static Seen seen(Path file) throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    Object fileKey = Objects.requireNonNullElse(a.fileKey(), file);
    return new Seen(fileKey, a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS));
  }

  private static String read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JVM without SHA-256", e);
    }
  }
}
