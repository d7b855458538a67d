package io.framewatch.enhance;

import io.framewatch.inference.Device;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.runtime.Settings;
import io.framewatch.runtime.VideoFiles;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Settings of the enhance stage.
 *
 * @param kafka cluster settings
 * @param group consumer group of the enhance fleet
 * @param workers consumer threads in this process (each loads its own model session)
 * @param model manifest id of the super-resolution model; empty: bursts are dead-lettered
 * @param intraOpThreads ONNX Runtime intra-op threads per session
 * @param device where the model runs: auto, cpu or tensorrt
 * @param files the media store, where an evidence burst's super-resolved crop is written
 */
public record EnhanceConfig(KafkaSettings kafka, String group, int workers, Optional<String> model,
    int intraOpThreads, Device device, VideoFiles files) {

  /** Model used when FRAMEWATCH_SR_MODEL is unset. */
  public static final String DEFAULT_MODEL = Settings.SR_MODEL.defaultText();

  /** Validates the settings. */
  public EnhanceConfig {
    if (workers < 1) {
      throw new IllegalArgumentException("enhance workers must be >= 1, got " + workers);
    }
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("intra-op threads must be >= 1, got " + intraOpThreads);
    }
    java.util.Objects.requireNonNull(files, "files");
  }

  /** Reads the enhance options of {@link Settings} from {@code env}. */
  public static EnhanceConfig fromEnv(Map<String, String> env, KafkaSettings kafka) {
    String model = Settings.SR_MODEL.read(env);
    return new EnhanceConfig(kafka, Settings.ENHANCE_GROUP.read(env),
        Settings.ENHANCE_WORKERS.read(env),
        model.equals("none") ? Optional.empty() : Optional.of(model),
        Settings.INTRA_OP_THREADS.read(env), Device.parse(Settings.DEVICE.read(env)),
        new VideoFiles(Path.of(Settings.MEDIA_DIR.read(env))));
  }
}
