package io.framewatch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.runtime.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The configuration table of docs/OPERATIONS.md is the one {@link Settings} writes, and every
 * {@code FRAMEWATCH_*} variable the code reads is in the registry.
 */
class ConfigurationDocTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void shouldKeepTheOperationsTableEqualToTheRegistry() throws Exception {
    String doc = Files.readString(ROOT.resolve("docs/OPERATIONS.md"));
    Matcher m = Pattern.compile("<!-- settings:begin[^>]*-->\\n(.*?)<!-- settings:end -->",
        Pattern.DOTALL).matcher(doc);
    assertTrue(m.find(), "docs/OPERATIONS.md has no settings markers");
    assertEquals(Settings.markdownTable(), m.group(1),
        "docs/OPERATIONS.md is stale: replace the table with './framewatch config --markdown'");
  }

  @Test
  void shouldListEveryVariableTheSourcesRead() throws Exception {
    Pattern var = Pattern.compile("\"(FRAMEWATCH_[A-Z_]+)\"");
    try (Stream<Path> files = Files.walk(ROOT)) {
      files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/"))
          .forEach(p -> {
            try {
              Matcher m = var.matcher(Files.readString(p));
              while (m.find()) {
                String name = m.group(1);
                assertTrue(Settings.all().stream().anyMatch(s -> s.env().equals(name)),
                    p + " reads " + name + ", which is not in Settings");
              }
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          });
    }
  }

  @Test
  void shouldNameTheVariableWhenAValueDoesNotParse() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Settings.DECODE_WORKERS.read(Map.of("FRAMEWATCH_DECODE_WORKERS", "two")));
    assertEquals("FRAMEWATCH_DECODE_WORKERS must be an integer, got 'two'", e.getMessage());
    assertEquals(2, Settings.DECODE_WORKERS.read(Map.of()));
  }
}
