package io.framewatch.decode;

import io.framewatch.runtime.Settings;
import io.framewatch.runtime.VideoFiles;
import java.nio.file.Path;
import java.util.Map;

/**
 * Settings of decode's evidence server ({@link EvidenceServer}).
 *
 * @param group consumer group on {@code evidence.requests}
 * @param workers requests served at once in this process
 * @param files the media store: stored uploads are read from it, evidence written into it
 */
public record EvidenceConfig(String group, int workers, VideoFiles files) {
  /** Validates the settings. */
  public EvidenceConfig {
    if (group == null || group.isBlank()) {
      throw new IllegalArgumentException("evidence group must not be blank");
    }
    if (workers < 1 || workers > 64) {
      throw new IllegalArgumentException("evidence workers must be in [1, 64], got " + workers);
    }
    java.util.Objects.requireNonNull(files, "files");
  }

  /** Reads the evidence options of {@link Settings} from {@code env}. */
  public static EvidenceConfig fromEnv(Map<String, String> env) {
    return new EvidenceConfig(Settings.EVIDENCE_GROUP.read(env),
        Settings.EVIDENCE_WORKERS.read(env), new VideoFiles(Path.of(Settings.MEDIA_DIR.read(env))));
  }
}
