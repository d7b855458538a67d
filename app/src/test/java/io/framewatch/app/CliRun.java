package io.framewatch.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * One in-process run of the {@code framewatch} command line: its exit status and what it printed.
 *
 * @param status exit status
 * @param out standard output
 * @param err standard error
 */
record CliRun(int status, String out, String err) {

  /** Runs {@code framewatch ARGS...} in this JVM, capturing both streams. */
  static CliRun of(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream outBefore = System.out;
    PrintStream errBefore = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int status;
    try {
      status = new CommandLine(new Main()).execute(args);
    } finally {
      System.setOut(outBefore);
      System.setErr(errBefore);
    }
    return new CliRun(status, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  /** Asserts a refusal: status 2 and one line on stderr starting with {@code prefix}. */
  void assertRefused(String prefix) {
    assertEquals(2, status, out + err);
    assertEquals(1, err.lines().count(), "one line, no stack trace: " + err);
    assertTrue(err.startsWith(prefix), err);
  }
}
