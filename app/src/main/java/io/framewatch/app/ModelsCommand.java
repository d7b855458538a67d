package io.framewatch.app;

import io.framewatch.inference.Backends;
import io.framewatch.inference.InferenceException;
import io.framewatch.inference.ModelManifest;
import io.framewatch.inference.ModelStore;
import io.framewatch.inference.ModelVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code framewatch models list|verify|fetch [ID...]}, {@code models calibrate ID ...}. */
@Command(name = "models", description = "Show, fetch, check and calibrate model manifests and"
    + " files.",
    subcommands = {ModelsCommand.ListModels.class, ModelsCommand.Verify.class,
        ModelsCommand.Fetch.class, CalibrateCommand.class})
final class ModelsCommand {

  static List<String> ids(ModelStore store, List<String> given) {
    return given == null || given.isEmpty() ? store.ids() : given;
  }

  /** One check of one model; returns the line to print. */
  @FunctionalInterface
  interface Check {
    String run(ModelStore store, String id) throws InferenceException;
  }

  /** Runs {@code check} on each model, printing a line each; exit code 1 if any failed. */
  static int each(List<String> given, Check check) {
    ModelStore store = ModelStore.fromEnvironment();
    int failed = 0;
    for (String id : ids(store, given)) {
      try {
        System.out.println(id + ": " + check.run(store, id));
      } catch (InferenceException | IllegalArgumentException e) {
        System.out.println(id + ": FAILED " + e.getMessage());
        failed++;
      }
    }
    return failed == 0 ? 0 : 1;
  }

  /** {@code models list}. */
  @Command(name = "list", description = "List known models and whether their file is present.")
  static final class ListModels implements Callable<Integer> {
    @Override
    public Integer call() {
      ModelStore store = ModelStore.fromEnvironment();
      System.out.printf("%-24s %-26s %-9s %s%n", "id", "task", "file", "source");
      for (String id : store.ids()) {
        ModelManifest m = store.manifest(id);
        Path cached = store.cacheDir().resolve("models").resolve(id).resolve(m.file());
        String source = m.source().npm() != null ? "npm " + m.source().npm()
            : m.source().command() != null ? m.source().command() : "user-supplied";
        System.out.printf("%-24s %-26s %-9s %s%n", id, m.task(),
            Files.isRegularFile(cached) ? "cached" : "missing", source);
      }
      System.out.println("TensorRT: " + Backends.tensorRtStatus());
      return 0;
    }
  }

  /** {@code models fetch}. */
  @Command(name = "fetch", description = "Fetch models from their source and check their SHA-256.")
  static final class Fetch implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "ID", description = "Models (default: all).")
    List<String> ids;

    @Override
    public Integer call() {
      return each(ids, (store, id) -> store.resolve(store.manifest(id)).toString());
    }
  }

  /** {@code models verify}. */
  @Command(name = "verify", description = "Check each model file's SHA-256, its graph's inputs"
      + " and outputs against the manifest and, where the exporter left parity files, ONNX"
      + " Runtime's output against the exporter's.")
  static final class Verify implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "ID", description = "Models (default: all).")
    List<String> ids;

    @Override
    public Integer call() {
      return each(ids, (store, id) -> {
        ModelManifest m = store.manifest(id);
        java.nio.file.Path file = store.resolve(m);
        ModelVerifier.checkGraph(m, file);
        java.util.OptionalDouble parity = ModelVerifier.checkParity(m, file);
        return "OK (sha256 " + m.sha256().substring(0, 12) + "…, " + m.inputs().size()
            + " input(s), " + m.outputs().size() + " output(s) as declared"
            + (parity.isPresent() ? String.format(", ONNX Runtime vs exporter max |diff| %.2e",
                parity.getAsDouble()) : "") + ")";
      });
    }
  }
}
