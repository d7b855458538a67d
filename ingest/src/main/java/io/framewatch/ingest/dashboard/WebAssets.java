package io.framewatch.ingest.dashboard;

import io.framewatch.inference.NpmPackages;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Front-end files taken from npm packages at run time, as models and footage are: fetched with
 * {@code npm pack} into the cache, checked by SHA-256, never committed. Today that is uPlot
 * (MIT), the chart library of the dashboard and the HTML report.
 */
public enum WebAssets {
  /** uPlot's browser build (defines the global {@code uPlot}). */
  UPLOT_JS("uPlot.iife.min.js", "19c8d4c6ad88929a79f4ae49d6f7161566dfd0ba3d15cc495e974f787eb78f1f"),
  /** uPlot's style sheet. */
  UPLOT_CSS("uPlot.min.css", "df630c6a8d6f8eeaff264b50f73ce5b114f646ffd9a0bb74f049b0a00135fa04");

  private static final String VERSION = "1.6.32";
  private static final String PACKAGE = "uplot@" + VERSION;

  private final String fileName;
  private final String sha256;

  WebAssets(String fileName, String sha256) {
    this.fileName = fileName;
    this.sha256 = sha256;
  }

  /** File name inside the package's {@code dist/} (also the dashboard's URL path). */
  public String fileName() {
    return fileName;
  }

  /**
   * The file in the cache ({@code CACHE/web/uplot-1.6.32/NAME}), fetched and verified on first
   * use.
   *
   * @param cacheDir the framewatch cache directory
   * @throws IOException when npm cannot fetch it or its digest does not match
   */
  public Path fetch(Path cacheDir) throws IOException {
    return NpmPackages.fetch(PACKAGE, "package/dist/" + fileName, sha256,
        cacheDir.resolve("web").resolve("uplot-" + VERSION).resolve(fileName));
  }
}
