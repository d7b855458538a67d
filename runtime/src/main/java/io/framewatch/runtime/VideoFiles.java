package io.framewatch.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where a video's files live in the media store ({@link Settings#MEDIA_DIR}): the one per-video
 * layout that every stage writing files for a video follows, so that deleting the video (its
 * DELETE or its tenant's retention time) finds them all.
 *
 * <ul>
 *   <li>{@code videos/ID.EXT}: the upload, EXT naming its container ({@code mp4}, {@code webm},
 *       ...); written by ingest, read by decode;
 *   <li>{@code evidence/ID/}: every other file derived from the video, in any layout below it:
 *       today decode's evidence files, {@link #cropName} (the aligned face crop a classifier
 *       judged, lossless PNG) and {@link #frameName} (the frame with the faces' boxes, JPEG).
 * </ul>
 *
 * <p>{@code incoming/} holds uploads still arriving under random names; Vert.x removes each when
 * its request ends, so it holds nothing of an accepted video. Live streams have no files.
 */
public final class VideoFiles {
  /** What a video id may be: it names files, so nothing that can leave the directory. */
  public static final Pattern VIDEO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

  /** What an evidence file may be called: exactly the names {@link #cropName},
   * {@link #mapName}, {@link #enhancedName} and {@link #frameName} give, so a name from a request
   * can never leave the directory. */
  public static final Pattern EVIDENCE_NAME = Pattern.compile(
      "s(0|[1-9][0-9]{0,17})-(f(0|[1-9][0-9]{0,8})-(crop|map|sr)\\.png|frame\\.jpg)");

  private final Path mediaDir;

  /** @param mediaDir the media store */
  public VideoFiles(Path mediaDir) {
    this.mediaDir = mediaDir.toAbsolutePath();
  }

  /** What a removal removed. */
  public record Removed(int files, long bytes) {}

  /** The media store. */
  public Path mediaDir() {
    return mediaDir;
  }

  /** Where the upload of {@code videoId} in container {@code container} is stored. */
  public Path upload(String videoId, String container) {
    return mediaDir.resolve("videos").resolve(check(videoId) + "." + container);
  }

  /** The directory of every other file derived from {@code videoId}. */
  public Path evidence(String videoId) {
    return mediaDir.resolve("evidence").resolve(check(videoId));
  }

  /** The stored upload of {@code videoId}, whatever its container; empty when there is none. */
  public java.util.Optional<Path> storedUpload(String videoId) throws IOException {
    Path videos = mediaDir.resolve("videos");
    if (!Files.isDirectory(videos)) {
      return java.util.Optional.empty();
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(videos, check(videoId) + ".*")) {
      for (Path p : s) {
        if (Files.isRegularFile(p)) {
          return java.util.Optional.of(p);
        }
      }
    }
    return java.util.Optional.empty();
  }

  /** Name of the aligned crop of face {@code face} (its index in the sample's detections). */
  public static String cropName(long sample, int face) {
    return "s" + sample + "-f" + face + "-crop.png";
  }

  /**
   * Name of the aligned crop of face {@code face} with its artifact map drawn over it ({@code
   * frames.ArtifactOverlay}).
   */
  public static String mapName(long sample, int face) {
    return "s" + sample + "-f" + face + "-map.png";
  }

  /**
   * Name of the super-resolved crop (lossless PNG) of face {@code face} of sample {@code sample},
   * which enhance writes from a burst around it.
   */
  public static String enhancedName(long sample, int face) {
    return "s" + sample + "-f" + face + "-sr.png";
  }

  /** Name of the thumbnail of sample {@code sample}'s frame with its faces' boxes. */
  public static String frameName(long sample) {
    return "s" + sample + "-frame.jpg";
  }

  /**
   * An evidence file of {@code videoId}.
   *
   * @throws IllegalArgumentException when the id is not a video id or the name not an evidence
   *     file's name ({@link #EVIDENCE_NAME})
   */
  public Path evidenceFile(String videoId, String name) {
    if (name == null || !EVIDENCE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not an evidence file name: '" + name + "'");
    }
    return evidence(videoId).resolve(name);
  }

  /**
   * The video's files now: its upload and every file below its evidence directory.
   *
   * @throws IllegalArgumentException when {@code videoId} is not a video id
   */
  public List<Path> of(String videoId) throws IOException {
    List<Path> out = new ArrayList<>();
    Path videos = mediaDir.resolve("videos");
    if (Files.isDirectory(videos)) {
      // the id has no '.', so "ID.*" matches this video's upload and no other video's
      try (DirectoryStream<Path> s = Files.newDirectoryStream(videos, check(videoId) + ".*")) {
        s.forEach(out::add);
      }
    }
    Path evidence = evidence(videoId);
    if (Files.isDirectory(evidence)) {
      try (Stream<Path> s = Files.walk(evidence)) {
        s.filter(Files::isRegularFile).forEach(out::add);
      }
    }
    return out;
  }

  /**
   * Removes the video's files and its evidence directory. Files another process removes at the
   * same time are not counted here, so the counts of two concurrent removals add up to the
   * files there were.
   *
   * @throws IllegalArgumentException when {@code videoId} is not a video id
   */
  public Removed remove(String videoId) throws IOException {
    int files = 0;
    long bytes = 0;
    for (Path f : of(videoId)) {
      try {
        long size = Files.size(f);
        if (Files.deleteIfExists(f)) {
          files++;
          bytes += size;
        }
      } catch (NoSuchFileException gone) {
        // removed meanwhile by someone else
      }
    }
    Path evidence = evidence(videoId);
    if (Files.isDirectory(evidence)) {
      try (Stream<Path> s = Files.walk(evidence)) {
        s.sorted(Comparator.reverseOrder()).forEach(VideoFiles::removeDirectory);
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    }
    return new Removed(files, bytes);
  }

  private static void removeDirectory(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String check(String videoId) {
    if (videoId == null || !VIDEO_ID.matcher(videoId).matches()) {
      throw new IllegalArgumentException("not a video id: '" + videoId + "'");
    }
    return videoId;
  }

  /** What writes a file's bytes. */
  public interface Body {
    /** Writes the file's bytes to {@code os}. */
    void write(java.io.OutputStream os) throws IOException;
  }

  /**
   * Writes {@code name} in {@code dir} under a temporary name, then moves it in (a reader never
   * sees half a file); its size. Every stage writing evidence files writes them this way.
   */
  public static long writeAtomically(Path dir, String name, Body body) throws IOException {
    // not createTempFile: its owner-only mode would stay on the file, which ingest serves
    Path tmp = dir.resolve("." + name + "." + java.util.UUID.randomUUID() + ".part");
    try {
      try (java.io.OutputStream os = Files.newOutputStream(tmp,
          java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
        body.write(os);
      }
      long size = Files.size(tmp);
      Files.move(tmp, dir.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return size;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
