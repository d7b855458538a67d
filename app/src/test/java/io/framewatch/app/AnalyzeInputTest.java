package io.framewatch.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code framewatch analyze} refuses a file it cannot analyse with one line naming the file and
 * the reason, and exit status 2, before starting anything (no broker, no stage).
 */
class AnalyzeInputTest {
  @TempDir
  Path dir;

  private String refusal(Path file) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream before = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int status;
    try {
      status = new CommandLine(new Main()).execute("analyze", file.toString());
    } finally {
      System.setErr(before);
    }
    String out = err.toString(StandardCharsets.UTF_8);
    assertEquals(2, status, out);
    assertEquals(1, out.lines().count(), "one line, no stack trace: " + out);
    assertTrue(out.startsWith("framewatch analyze: " + file + ": "), out);
    return out;
  }

  @Test
  void shouldRefuseAnEmptyFileInOneLine() throws Exception {
    Path empty = Files.createFile(dir.resolve("empty.mp4"));
    assertTrue(refusal(empty).contains("the file is empty (0 bytes)"));
  }

  @Test
  void shouldRefuseATextFileSayingWhatItLooksLike() throws Exception {
    Path text = Files.writeString(dir.resolve("notes.mp4"), "these are notes, not a video\n");
    assertTrue(refusal(text).contains("looks like text, not a video container"));
  }

  @Test
  void shouldRefuseAMissingFileAndADirectory() {
    assertTrue(refusal(dir.resolve("nothing.mp4")).contains("no such file"));
    assertTrue(refusal(dir).contains("not a regular file"));
  }
}
