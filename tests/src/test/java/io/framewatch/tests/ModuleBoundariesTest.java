package io.framewatch.tests;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stages talk through Kafka topics only: each may use {@code proto} (contracts, topics),
 * {@code runtime} (consumer loop, producers, stages, pixel helpers) and {@code inference} (model
 * backends), never another stage. Only {@code app} wires them together. The contracts know
 * nothing of how records move, and the model backends nothing of Kafka.
 */
class ModuleBoundariesTest {
  private static final List<String> STAGES = List.of("ingest", "decode", "detect", "enhance", "sink",
      "notify");
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.framewatch");
  }

  @Test
  void shouldKeepEveryStageIndependentOfTheOtherStages() {
    for (String stage : STAGES) {
      String[] others = STAGES.stream().filter(s -> !s.equals(stage))
          .map(s -> "io.framewatch." + s + "..").toArray(String[]::new);
      noClasses().that().resideInAPackage("io.framewatch." + stage + "..")
          .should().dependOnClassesThat().resideInAnyPackage(others)
          .because("stages communicate through Kafka topics, not through each other's code")
          .check(classes);
    }
  }

  @Test
  void shouldKeepContractsAndBackendsFreeOfStagesAndTheCli() {
    String[] upper = STAGES.stream().map(s -> "io.framewatch." + s + "..").toArray(String[]::new);
    noClasses().that().resideInAnyPackage("io.framewatch.proto..", "io.framewatch.topic..",
            "io.framewatch.runtime..", "io.framewatch.frames..",
            "io.framewatch.inference..")
        .should().dependOnClassesThat().resideInAnyPackage(upper)
        .check(classes);
    noClasses().that().resideInAnyPackage("io.framewatch.proto..", "io.framewatch.topic..",
            "io.framewatch.inference..")
        .should().dependOnClassesThat().resideInAnyPackage("io.framewatch.runtime..",
            "io.framewatch.frames..")
        .because("the contracts and the model backends know nothing of how records move")
        .check(classes);
    noClasses().that().resideInAPackage("io.framewatch.inference..")
        .should().dependOnClassesThat().resideInAnyPackage("io.framewatch.proto..",
            "io.framewatch.topic..")
        .because("model backends take tensors, not records")
        .check(classes);
    noClasses().that().resideInAnyPackage(upper)
        .should().dependOnClassesThat().resideInAPackage("io.framewatch.app..")
        .check(classes);
  }
}
