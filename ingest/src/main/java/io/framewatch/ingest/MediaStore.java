package io.framewatch.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where uploads land: the body handler streams a multipart file into {@code <root>/incoming/},
 * and an accepted video is moved (atomically, same file system) to
 * {@code <root>/videos/<id>.<container>}, where decode workers read it.
 */
final class MediaStore {
  private final Path root;

  MediaStore(Path root) {
    this.root = root.toAbsolutePath();
  }

  /** Creates the store's directories. */
  MediaStore create() throws IOException {
    Files.createDirectories(incoming());
    Files.createDirectories(root.resolve("videos"));
    return this;
  }

  /** Where uploads are streamed while they arrive. */
  Path incoming() {
    return root.resolve("incoming");
  }

  /** The file of an accepted video. */
  Path video(String videoId, String container) {
    return root.resolve("videos").resolve(videoId + "." + container);
  }

  /**
   * Moves an upload into the store.
   *
   * @return where it now is
   */
  Path keep(Path upload, String videoId, String container) throws IOException {
    Path stored = video(videoId, container);
    Files.move(upload, stored, StandardCopyOption.ATOMIC_MOVE);
    return stored;
  }
}
