package dev.claudetelemetry.policy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claudetelemetry.policy.rules.PolicyRefusedException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A policy or the ConfigMap carrying it: the same policy either way; mutations never crash. */
class PolicyFilesTest {

  @Test
  void shouldFindThePolicyInsideTheGeneratedConfigMap() throws Exception {
    byte[] policy = Files.readAllBytes(Path.of("../policies/default-policy.yaml"));
    byte[] configMap = Files.readAllBytes(Path.of("../k8s/policy-configmap.yaml"));

    assertThat(new String(PolicyFiles.policyBytes(configMap), StandardCharsets.UTF_8))
        .isEqualTo(new String(policy, StandardCharsets.UTF_8));
    assertThat(PolicyFiles.policyBytes(policy)).isSameAs(policy);
  }

  @Test
  void shouldReadAConfigMapInAKubectlListAndItsOnlyKey() throws Exception {
    String list =
        """
        apiVersion: v1
        kind: List
        items:
          - {apiVersion: v1, kind: Secret, data: {policy.yaml: eA==}}
          - apiVersion: v1
            kind: ConfigMap
            data:
              mine.yaml: "apiVersion: claude-telemetry.dev/v1"
        """;

    assertThat(new String(PolicyFiles.policyBytes(list.getBytes()), StandardCharsets.UTF_8))
        .isEqualTo("apiVersion: claude-telemetry.dev/v1");
    String two = "kind: ConfigMap\ndata: {policy.yaml: a}\n---\nkind: ConfigMap\ndata: {x: b}\n";
    assertThatThrownBy(() -> PolicyFiles.policyBytes(two.getBytes()))
        .isInstanceOf(PolicyRefusedException.class);
  }

  @Test
  void shouldReturnOrRefuseEveryRandomMutationOfTheConfigMap() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    byte[] configMap = Files.readAllBytes(Path.of("../k8s/policy-configmap.yaml"));
    String alphabet = "{}[]:,-#&*!|>'\"\\\n\t ?%@`~";
    for (int i = 0; i < 300; i++) {
      byte[] bytes = configMap.clone();
      for (int e = 0; e < 1 + random.nextInt(6); e++) {
        bytes[random.nextInt(bytes.length)] =
            random.nextBoolean()
                ? (byte) alphabet.charAt(random.nextInt(alphabet.length()))
                : (byte) random.nextInt(256);
      }
      try {
        assertThat(PolicyFiles.policyBytes(bytes)).isNotNull();
      } catch (PolicyRefusedException expected) {
        assertThat(expected.problems()).isNotEmpty();
      } catch (RuntimeException | StackOverflowError e) {
        throw new AssertionError("seed " + seed + ", input " + i + ": " + e, e);
      }
    }
  }
}
