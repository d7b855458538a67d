package io.framewatch.runtime;

import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * One configuration option: its environment variable, type, default, the stage that reads it and
 * what it means. {@link Settings} lists them all, reads them from one map, and writes the
 * configuration table of docs/OPERATIONS.md from them.
 *
 * @param <T> the value's type
 */
public final class Setting<T> {
  private final String env;
  private final String stage;
  private final String defaultText;
  private final String doc;
  private final Function<String, T> parse;
  private final String type;
  private final boolean computed;

  private Setting(String env, String stage, String defaultText, String doc, String type,
      Function<String, T> parse) {
    this(env, stage, defaultText, doc, type, parse, false);
  }

  private Setting(String env, String stage, String defaultText, String doc, String type,
      Function<String, T> parse, boolean computed) {
    this.computed = computed;
    this.env = Objects.requireNonNull(env);
    this.stage = stage;
    this.defaultText = defaultText;
    this.doc = doc;
    this.type = type;
    this.parse = parse;
  }

  /** An integer option. */
  public static Setting<Integer> integer(String env, int def, String stage, String doc) {
    return new Setting<>(env, stage, Integer.toString(def), doc, "an integer", Integer::parseInt);
  }

  /** A long option. */
  public static Setting<Long> longValue(String env, long def, String stage, String doc) {
    return new Setting<>(env, stage, Long.toString(def), doc, "an integer", Long::parseLong);
  }

  /** A decimal option. */
  public static Setting<Float> decimal(String env, float def, String stage, String doc) {
    return new Setting<>(env, stage, trim(def), doc, "a number", Float::parseFloat);
  }

  /** A true/false option. */
  public static Setting<Boolean> bool(String env, boolean def, String stage, String doc) {
    return new Setting<>(env, stage, Boolean.toString(def), doc, "true or false", v -> {
      if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
        throw new IllegalArgumentException();
      }
      return Boolean.parseBoolean(v);
    });
  }

  /** A text option; {@code def} null means unset by default. */
  public static Setting<String> text(String env, String def, String stage, String doc) {
    return new Setting<>(env, stage, def, doc, "text", v -> v);
  }

  /**
   * A text option whose default is computed (e.g. from the machine), shown as {@code shownAs}.
   */
  public static Setting<String> computed(String env, String shownAs, String stage, String doc) {
    return new Setting<>(env, stage, shownAs, doc, "text", v -> v, true);
  }

  private static String trim(float f) {
    return f == Math.rint(f) ? Integer.toString((int) f) : Float.toString(f);
  }

  /** The environment variable. */
  public String env() {
    return env;
  }

  /** Stages (or tools) that read it, as the docs show them. */
  public String stage() {
    return stage;
  }

  /** The default as the docs show it; null when unset by default. */
  public String defaultText() {
    return defaultText;
  }

  /** What it means. */
  public String doc() {
    return doc;
  }

  /**
   * The value in {@code env}, or the default when absent or blank.
   *
   * @throws IllegalArgumentException naming the variable when the value does not parse
   */
  public T read(Map<String, String> envMap) {
    String v = envMap.get(env);
    return v == null || v.isBlank() ? parseDefault() : parse(v.strip());
  }

  /** The value in {@code env}, or {@code fallback} when absent (for computed defaults). */
  public T read(Map<String, String> envMap, T fallback) {
    String v = envMap.get(env);
    return v == null || v.isBlank() ? fallback : parse(v.strip());
  }

  private T parseDefault() {
    if (defaultText == null || computed) {
      return null; // computed defaults are the caller's: read(env, fallback)
    }
    return parse.apply(defaultText);
  }

  private T parse(String v) {
    try {
      return parse.apply(v);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(env + " must be " + type + ", got '" + v + "'", e);
    }
  }
}
