package io.framewatch.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Sha256Test {
  private static final String ABC =
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  private static final String ABD =
      "a52d159f262b2c6ddb724a61840befc36eb30c88877a4030b65cbe86298449c9";

  @TempDir
  Path dir;

  @Test
  void shouldDigestAFileAsTheStandardSaysAndRememberIt() throws Exception {
    Path f = Files.writeString(dir.resolve("a.bin"), "abc", StandardCharsets.US_ASCII);
    assertEquals(ABC, Sha256.of(f));
    assertEquals(ABC, Sha256.of(f));
  }

  @Test
  void shouldDigestAgainWhenTheFileIsRewrittenInPlace() throws Exception {
    Path f = Files.writeString(dir.resolve("a.bin"), "abc", StandardCharsets.US_ASCII);
    FileTime t = Files.getLastModifiedTime(f);
    assertEquals(ABC, Sha256.of(f));
    Files.writeString(f, "abd", StandardCharsets.US_ASCII);
    Files.setLastModifiedTime(f, FileTime.fromMillis(t.toMillis() + 1000));
    assertEquals(ABD, Sha256.of(f));
  }

  @Test
  void shouldDigestAgainWhenAnotherFileIsMovedOverItWithTheSameSizeAndTime() throws Exception {
    Path f = Files.writeString(dir.resolve("a.bin"), "abc", StandardCharsets.US_ASCII);
    FileTime t = Files.getLastModifiedTime(f);
    assertEquals(ABC, Sha256.of(f));
    Path other = Files.writeString(dir.resolve("b.tmp"), "abd", StandardCharsets.US_ASCII);
    Files.setLastModifiedTime(other, t);
    Files.move(other, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    assertEquals(ABD, Sha256.of(f));
  }
}
