package dev.claudetelemetry.deploy.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** NOTES.txt tells real commands: every object a kubectl line names is one the chart renders. */
class NotesTest {

  private static final Pattern KUBECTL_TARGET =
      Pattern.compile(
          "kubectl -n (\\S+) (?:exec -it (\\S+)|get secret (\\S+)|edit configmap (\\S+)|port-forward svc/(\\S+)|logs deploy/(\\S+))");

  /** The NOTES of a client-only dry-run install (helm-java's template does not print them). */
  private static String notes(String valuesFile) {
    InstallCommand install =
        new Helm(RepoFiles.chart())
            .install()
            .withName(RenderedChart.RELEASE)
            .withNamespace(RenderedChart.NAMESPACE)
            .dryRun()
            .withDryRunOption(DryRun.CLIENT)
            .clientOnly();
    if (valuesFile != null) {
      install =
          install.withValuesFile(
              Path.of(valuesFile).isAbsolute()
                  ? Path.of(valuesFile)
                  : RepoFiles.resolve(valuesFile));
    }
    String output = install.call().getOutput();
    assertThat(output).contains("NOTES:");
    return output.substring(output.indexOf("NOTES:"));
  }

  private static List<String> unknownTargets(String notes, RenderedChart chart) {
    List<String> unknown = new ArrayList<>();
    Matcher m = KUBECTL_TARGET.matcher(notes);
    int commands = 0;
    while (m.find()) {
      commands++;
      String namespace = m.group(1);
      String wanted =
          m.group(2) != null
              ? "StatefulSet/" + m.group(2).replaceFirst("-0$", "")
              : m.group(3) != null
                  ? "Secret/" + m.group(3)
                  : m.group(4) != null
                      ? "ConfigMap/" + m.group(4)
                      : m.group(5) != null ? "Service/" + m.group(5) : "Deployment/" + m.group(6);
      if (namespace.equals("monitoring")) {
        continue; // kube-prometheus-stack's Grafana, not ours
      }
      if (!namespace.equals(RenderedChart.NAMESPACE) || !chart.names().contains(wanted)) {
        unknown.add(m.group());
      }
    }
    assertThat(commands).as("kubectl commands in NOTES.txt").isGreaterThan(5);
    return unknown;
  }

  @Test
  void shouldNameOnlyObjectsTheChartRendersWithDefaultValues() {
    String notes = notes(null);

    assertThat(notes)
        .contains(
            "kubectl -n claude-telemetry exec -it claude-code-developer-0 -- claude",
            "edit configmap claude-telemetry-policy",
            "policyService.policy.reset=true",
            "/login");
    assertThat(unknownTargets(notes, RenderedChart.render())).isEmpty();
  }

  @Test
  void shouldListEveryUsersWorkspaceAndTheIngressUrl() {
    String notes = notes("helm/claude-telemetry/ci/team-values.yaml");

    assertThat(notes)
        .contains(
            "exec -it claude-code-alice-0",
            "exec -it claude-code-bob-0",
            "exec -it claude-code-carol-ops-0",
            "https://grafana.platform.example.com/",
            "get secret claude-telemetry-tokens-from-vault")
        .doesNotContain("/login");
    RenderedChart team = RenderedChart.render("helm/claude-telemetry/ci/team-values.yaml");
    assertThat(unknownTargets(notes, team))
        .containsExactly(
            // the platform team's own Secret: named, not rendered
            "kubectl -n claude-telemetry get secret claude-telemetry-tokens-from-vault");
  }
}
