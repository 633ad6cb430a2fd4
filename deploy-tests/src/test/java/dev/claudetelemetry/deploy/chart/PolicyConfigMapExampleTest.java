package dev.claudetelemetry.deploy.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * k8s/policy-configmap.yaml is generated: it is the chart's policy ConfigMap (itself the policy
 * file) rendered for namespace claude-telemetry. Regenerate after a policy change with {@code mvn
 * -B -ntp -o -pl deploy-tests test -Dtest=PolicyConfigMapExampleTest -Dregenerate=true}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PolicyConfigMapExampleTest {

  static final String EXAMPLE = "k8s/policy-configmap.yaml";
  static final String BANNER =
      """
      # GENERATED from policies/default-policy.yaml by the chart's templates/policy-service/configmap-policy.yaml
      # (deploy-tests PolicyConfigMapExampleTest, -Dregenerate=true). Do not edit here: edit the policy file, or edit
      # the live ConfigMap (kubectl -n claude-telemetry edit configmap claude-telemetry-policy).
      # Apply after `helm install`: kubectl -n claude-telemetry apply -f k8s/policy-configmap.yaml
      """;

  static String generate() {
    String rendered =
        java.util.Arrays.stream(RenderedChart.render().text().split("(?m)^---\\s*$"))
            .filter(
                chunk ->
                    chunk.contains("\nkind: ConfigMap\n")
                        && chunk.contains("\n  name: claude-telemetry-policy\n"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("the chart renders no policy ConfigMap"));
    String body =
        rendered
            .lines()
            .filter(l -> !l.startsWith("# Source: "))
            .reduce("", (a, l) -> a + l + "\n")
            .strip();
    return BANNER + "---\n" + body + "\n";
  }

  @Test
  @Order(1) // with -Dregenerate=true it writes the file the next test reads
  void shouldEqualTheGeneratorsOutput() throws IOException {
    String generated = generate();
    Path example = RepoFiles.resolve(EXAMPLE);
    if (Boolean.getBoolean("regenerate")) {
      Files.writeString(example, generated);
    }

    assertThat(example).as("%s (regenerate with -Dregenerate=true)", EXAMPLE).exists();
    assertThat(Files.readString(example))
        .as("%s is stale: regenerate with -Dregenerate=true", EXAMPLE)
        .isEqualTo(generated);
  }

  @Test
  void shouldCarryThePolicyFileVerbatim() {
    ConfigMap example =
        RenderedChart.parse(RepoFiles.text(EXAMPLE))
            .object(ConfigMap.class, "claude-telemetry-policy");

    assertThat(example.getMetadata().getNamespace()).isEqualTo("claude-telemetry");
    assertThat(example.getData().get("policy.yaml"))
        .isEqualTo(RepoFiles.text("policies/default-policy.yaml"));
  }
}
