package io.framewatch.tests;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * Debian's {@code chromium}, headless, driven through Debian's {@code chromium-driver} (never a
 * browser or driver downloaded at run time). It keeps the page's console, so a test can assert
 * that no script failed, and saves screenshots under {@code target/screenshots} (a build
 * artefact).
 */
final class Browser implements AutoCloseable {
  /** Where screenshots go, relative to the tests module. */
  static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final String CHROMIUM = "/usr/bin/chromium";
  private static final String DRIVER = "/usr/bin/chromedriver";

  private final ChromeDriver driver;

  private Browser(ChromeDriver driver) {
    this.driver = driver;
  }

  /** Starts a headless chromium with a 1280x1400 window. */
  static Browser start() {
    for (String exe : List.of(CHROMIUM, DRIVER)) {
      if (!Files.isExecutable(Path.of(exe))) {
        throw new IllegalStateException(exe + " is missing: the browser tests need Debian's"
            + " chromium and chromium-driver ('./framewatch test' installs them)");
      }
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
        "--disable-gpu", "--window-size=1280,1400", "--lang=en-GB");
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(DRIVER)).usingAnyFreePort().build();
    return new Browser(new ChromeDriver(service, options));
  }

  /** Opens {@code url}. */
  void open(String url) {
    driver.get(url);
  }

  /** Runs {@code script} (a function body; {@code arguments} as given) in the page. */
  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** The text of the first element matching {@code css}, or null when there is none. */
  String text(String css) {
    return (String) js("const e = document.querySelector(arguments[0]);"
        + " return e ? e.textContent : null;", css);
  }

  /** How many elements match {@code css}. */
  long count(String css) {
    return (Long) js("return document.querySelectorAll(arguments[0]).length;", css);
  }

  /** An attribute of the first element matching {@code css}, or null. */
  String attribute(String css, String name) {
    return (String) js("const e = document.querySelector(arguments[0]);"
        + " return e ? e.getAttribute(arguments[1]) : null;", css, name);
  }

  /** The underlying driver, for typing and clicking. */
  ChromeDriver driver() {
    return driver;
  }

  /** Console messages at level SEVERE since the last call (script errors, failed loads). */
  List<String> errors() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage).toList();
  }

  /** Saves a screenshot of the window as {@code target/screenshots/NAME.png}. */
  Path screenshot(String name) throws IOException {
    Files.createDirectories(SCREENSHOTS);
    Path file = SCREENSHOTS.resolve(name + ".png");
    Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    return file;
  }

  @Override
  public void close() {
    driver.quit();
  }
}
