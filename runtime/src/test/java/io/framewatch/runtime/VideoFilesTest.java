package io.framewatch.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoFilesTest {
  @TempDir
  Path media;

  private Path write(String relative, int bytes) throws Exception {
    Path p = media.resolve(relative);
    Files.createDirectories(p.getParent());
    Files.write(p, new byte[bytes]);
    return p;
  }

  @Test
  void shouldRemoveTheUploadAndEvidenceOfOneVideoCountingFilesAndBytesAndNothingElse()
      throws Exception {
    VideoFiles files = new VideoFiles(media);
    write("videos/abc.mp4", 1000);
    write("evidence/abc/crops/7.jpg", 30);
    write("evidence/abc/enhanced.png", 4);
    Path other = write("videos/abc-2.mp4", 10);
    Path longer = write("videos/abcd.webm", 10);
    Path otherEvidence = write("evidence/abcd/1.jpg", 10);
    assertEquals(files.upload("abc", "mp4"), media.resolve("videos/abc.mp4"));
    assertEquals(3, files.of("abc").size(), files.of("abc").toString());

    assertEquals(new VideoFiles.Removed(3, 1034), files.remove("abc"));
    assertEquals(Set.of(), Set.copyOf(files.of("abc")));
    assertFalse(Files.exists(media.resolve("evidence/abc")), "its evidence directory too");
    assertTrue(Files.exists(other) && Files.exists(longer) && Files.exists(otherEvidence),
        "other videos keep theirs");
    assertEquals(new VideoFiles.Removed(0, 0), files.remove("abc"), "removing again is fine");
  }

  @Test
  void shouldRefuseAnIdThatCouldNameAnotherPath() {
    VideoFiles files = new VideoFiles(media);
    for (String bad : new String[] {"../etc", "a/b", "*", "", ".hidden", "a.b"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> files.remove(bad), bad);
      assertTrue(e.getMessage().contains("not a video id"), e.getMessage());
    }
  }
}
