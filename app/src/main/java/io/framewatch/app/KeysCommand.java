package io.framewatch.app;

import io.framewatch.runtime.ApiKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code framewatch keys create --tenant T [--admin] [--file PATH]}. */
@Command(name = "keys", description = "Make API keys; the configuration holds only their hashes.",
    subcommands = {KeysCommand.Create.class})
final class KeysCommand {

  /** {@code keys create}. */
  @Command(name = "create", description = "Print a new API key for a tenant, once, and the"
      + " entry (tenant and the key's SHA-256) to add to FRAMEWATCH_API_KEYS or the key file.")
  static final class Create implements Callable<Integer> {
    @Option(names = "--tenant", paramLabel = "TENANT", description = "The tenant that owns"
        + " everything the key creates: lower-case letters, digits, '-' and '_'.")
    String tenant;

    @Option(names = "--admin", description = "The key may also read every tenant's usage.")
    boolean admin;

    @Option(names = "--file", paramLabel = "PATH", description = "Append the entry to this key"
        + " file (FRAMEWATCH_API_KEY_FILE), creating it readable by its owner only.")
    Path file;

    @Override
    public Integer call() {
      if (tenant == null) {
        return refuse("--tenant is required (e.g. --tenant acme)");
      }
      ApiKeys.Created created;
      try {
        created = ApiKeys.create(tenant, admin);
      } catch (IllegalArgumentException e) {
        return refuse(e.getMessage());
      }
      if (file != null) {
        try {
          append(file, created.entry() + "  # " + created.key().substring(0, 12) + " created "
              + Instant.now().truncatedTo(ChronoUnit.SECONDS));
        } catch (IOException e) {
          // nothing printed: a key whose entry was never written would authenticate nobody
          return refuse("cannot write " + file + ": " + e);
        }
      }
      System.out.println("key    " + created.key());
      System.out.println("entry  " + created.entry());
      System.out.println();
      System.out.println("The key is not stored anywhere and cannot be shown again: give it to"
          + " the tenant now. Only the entry (the key's SHA-256) goes into the configuration.");
      System.out.println(file != null ? "The entry was appended to " + file + "; point"
          + " FRAMEWATCH_API_KEY_FILE at that file."
          : "Add the entry to FRAMEWATCH_API_KEYS (comma-separated) or as a line of the file"
          + " FRAMEWATCH_API_KEY_FILE names.");
      return 0;
    }

    private static int refuse(String why) {
      System.err.println("framewatch keys create: " + why);
      return 2;
    }
  }

  /**
   * Appends {@code line} to {@code file}, first creating the file with permissions 0600 where
   * the filesystem has POSIX permissions (a file that exists keeps its own).
   */
  static void append(Path file, String line) throws IOException {
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException e) {
      // append to it
    } catch (UnsupportedOperationException e) {
      if (!Files.exists(file)) {
        Files.createFile(file); // no POSIX permissions here: the directory's rules apply
      }
    }
    long size = Files.size(file);
    boolean endsOpen = false;
    if (size > 0) {
      try (var ch = Files.newByteChannel(file)) {
        java.nio.ByteBuffer last = java.nio.ByteBuffer.allocate(1);
        ch.position(size - 1).read(last);
        endsOpen = last.get(0) != '\n';
      }
    }
    Files.writeString(file, (endsOpen ? "\n" : "") + line + "\n", StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
  }
}
