package dev.claudetelemetry.deploy.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudetelemetry.deploy.monitoring.AlertRules.Rule;
import dev.claudetelemetry.deploy.monitoring.Commands.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules as promtool sees them (check + unit tests, run from here so Surefire reports
 * them) and as the person on call sees them: severity, summary, description, a runbook section that
 * exists, and a unit test for every alert.
 */
class AlertRulesTest {
  private static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");
  private static final String RUNBOOK_PREFIX =
      "https://github.com/claude-telemetry/claude-telemetry/blob/main/helm/claude-telemetry/files/rules/RUNBOOK.md#";

  @Test
  void promtoolShouldAcceptTheRuleFile() {
    Result result =
        Commands.run(
            AlertRules.directory(),
            List.of("promtool", "check", "rules", AlertRules.file().toString()));
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("SUCCESS: " + AlertRules.all().size() + " rules found");
  }

  @Test
  void promtoolUnitTestsShouldPass() throws IOException {
    List<String> command = new ArrayList<>(List.of("promtool", "test", "rules"));
    command.addAll(testFiles().stream().map(Path::toString).toList());
    Result result = Commands.run(AlertRules.directory().resolve("tests"), command);
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("SUCCESS").doesNotContain("FAILED");
  }

  @Test
  void promtoolUnitTestsShouldFailWhenAnAlertChanges(@TempDir Path copy) throws IOException {
    // Proves the unit tests can fail: the same tests against a copy whose cost threshold moved.
    Files.createDirectories(copy.resolve("tests"));
    Files.writeString(
        copy.resolve("claude-telemetry.rules.yaml"),
        Files.readString(AlertRules.file()).replace("rate1h > 10", "rate1h > 50"));
    for (Path test : testFiles()) {
      Files.copy(test, copy.resolve("tests").resolve(test.getFileName()));
    }
    List<String> command = new ArrayList<>(List.of("promtool", "test", "rules"));
    command.addAll(testFiles().stream().map(t -> t.getFileName().toString()).toList());
    Result result = Commands.run(copy.resolve("tests"), command);
    assertThat(result.exitCode()).as(result.output()).isNotZero();
    assertThat(result.output()).contains("ClaudeCodeCostBurnHigh");
  }

  @Test
  void everyAlertShouldCarrySeveritySummaryDescriptionAndARunbookSectionThatExists()
      throws IOException {
    String runbook = Files.readString(AlertRules.directory().resolve("RUNBOOK.md"));
    Set<String> anchors = new java.util.HashSet<>();
    Matcher heading = Pattern.compile("(?m)^#{1,6}\\s+(.+)$").matcher(runbook);
    while (heading.find()) {
      anchors.add(githubAnchor(heading.group(1)));
    }
    assertThat(AlertRules.alerts())
        .isNotEmpty()
        .allSatisfy(
            alert -> {
              assertThat(alert.labels().path("severity").asText())
                  .as(alert + " severity")
                  .isIn(SEVERITIES);
              assertThat(alert.annotations().path("summary").asText())
                  .as(alert + " summary")
                  .isNotBlank();
              assertThat(alert.annotations().path("description").asText())
                  .as(alert + " description")
                  .isNotBlank();
              String url = alert.annotations().path("runbook_url").asText();
              assertThat(url).as(alert + " runbook_url").startsWith(RUNBOOK_PREFIX);
              String anchor = url.substring(RUNBOOK_PREFIX.length());
              assertThat(anchors)
                  .as(alert + ": RUNBOOK.md has a section for #" + anchor)
                  .contains(anchor);
              assertThat(anchor)
                  .as(alert + ": the runbook section is named after the alert")
                  .isEqualTo(alert.name().toLowerCase(Locale.ROOT));
            });
  }

  @Test
  void everyAlertShouldHaveAFiringAndAQuietUnitTest() throws IOException {
    StringBuilder tests = new StringBuilder();
    for (Path file : testFiles()) {
      tests.append(Files.readString(file));
    }
    String all = tests.toString();
    for (Rule alert : AlertRules.alerts()) {
      Pattern block =
          Pattern.compile(
              "- alertname: "
                  + alert.name()
                  + "\\s+eval_time: \\S+\\s+exp_alerts:(.*?)(?=\\n\\s*- alertname:|\\n\\s*- name:|\\z)",
              Pattern.DOTALL);
      Matcher matcher = block.matcher(all);
      boolean quiet = false;
      boolean firing = false;
      while (matcher.find()) {
        String expected = matcher.group(1).trim();
        quiet |= expected.startsWith("[]");
        firing |= expected.startsWith("- exp_labels:");
      }
      assertThat(quiet).as(alert.name() + " has a test where it must not fire").isTrue();
      assertThat(firing).as(alert.name() + " has a test where it fires").isTrue();
    }
  }

  @Test
  void recordingRulesShouldFollowTheLevelMetricOperationsNaming() {
    assertThat(AlertRules.all())
        .filteredOn(r -> !r.alert())
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.name()).matches("[a-z_]+:[a-z0-9_]+:[a-z0-9_]+"));
  }

  private static List<Path> testFiles() throws IOException {
    try (Stream<Path> files = Files.list(AlertRules.directory().resolve("tests"))) {
      List<Path> list = files.filter(f -> f.toString().endsWith(".test.yaml")).sorted().toList();
      assertThat(list)
          .as("promtool tests in " + AlertRules.directory().resolve("tests"))
          .isNotEmpty();
      return list;
    }
  }

  /** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
  static String githubAnchor(String heading) {
    return heading.trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-');
  }
}
