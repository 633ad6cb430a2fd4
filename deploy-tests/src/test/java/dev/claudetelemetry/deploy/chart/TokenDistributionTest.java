package dev.claudetelemetry.deploy.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which pod can read which token, from the rendered chart: a workspace pod gets its own user's
 * token and nothing else (no other user's, not the service token, not the read token), the service
 * token goes to hook-ingest, transcript-service and the collector only, and the two services that
 * check user tokens mount the whole per-user Secret.
 */
class TokenDistributionTest {

  private static final String TOKENS = "claude-telemetry-tokens";
  private static final String USER_TOKENS = "claude-telemetry-user-tokens";
  private static final String DIR = "/var/run/claude-telemetry/user-tokens";

  private static RenderedChart chart(String valuesFile) {
    return valuesFile.isEmpty() ? RenderedChart.render() : RenderedChart.render(valuesFile);
  }

  /** "secret/key" of every secretKeyRef and "secret/*" of every secret volume or envFrom. */
  private static Set<String> secretsReadBy(PodSpec pod, List<Container> containers) {
    Set<String> refs = new HashSet<>();
    for (Container container : containers) {
      for (EnvVar env : container.getEnv()) {
        if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
          refs.add(
              env.getValueFrom().getSecretKeyRef().getName()
                  + "/"
                  + env.getValueFrom().getSecretKeyRef().getKey());
        }
      }
      container.getEnvFrom().stream()
          .filter(from -> from.getSecretRef() != null)
          .forEach(from -> refs.add(from.getSecretRef().getName() + "/*"));
      container
          .getVolumeMounts()
          .forEach(
              mount ->
                  pod.getVolumes().stream()
                      .filter(v -> v.getName().equals(mount.getName()) && v.getSecret() != null)
                      .forEach(v -> refs.add(v.getSecret().getSecretName() + "/*")));
    }
    return refs;
  }

  private static List<Container> allContainers(PodSpec pod) {
    List<Container> all = new ArrayList<>(pod.getInitContainers());
    all.addAll(pod.getContainers());
    return all;
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "helm/claude-telemetry/ci/team-values.yaml"})
  void shouldGiveEachWorkspaceItsOwnTokenOnlyAndOnlyToTheIdentityInitContainer(String values) {
    RenderedChart chart = chart(values);
    String tokens = values.isEmpty() ? TOKENS : "claude-telemetry-tokens-from-vault";
    List<StatefulSet> workspaces =
        chart.objects(StatefulSet.class).stream()
            .filter(s -> s.getMetadata().getName().startsWith("claude-code-"))
            .toList();
    assertThat(workspaces).isNotEmpty();

    for (StatefulSet workspace : workspaces) {
      String user = workspace.getMetadata().getLabels().get("claude-telemetry.dev/user");
      PodSpec pod = workspace.getSpec().getTemplate().getSpec();
      Container identity = pod.getInitContainers().get(0);
      assertThat(identity.getName()).isEqualTo("identity");

      assertThat(secretsReadBy(pod, List.of(identity)))
          .as("the identity init container of %s", user)
          .containsExactlyInAnyOrder(
              "claude-code-" + user + "-identity/user",
              "claude-code-" + user + "-identity/email",
              USER_TOKENS + "/" + user);
      assertThat(secretsReadBy(pod, pod.getContainers()))
          .as("the claude-code container of %s reads no token Secret", user)
          .noneMatch(ref -> ref.startsWith(USER_TOKENS + "/") || ref.startsWith(tokens + "/"));
      assertThat(pod.getVolumes())
          .extracting(Volume::getSecret)
          .as("no Secret volume in a workspace pod")
          .allMatch(secret -> secret == null);
      assertThat(secretsReadBy(pod, allContainers(pod)))
          .noneMatch(
              ref -> ref.equals(tokens + "/service-token") || ref.equals(tokens + "/read-token"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "helm/claude-telemetry/ci/team-values.yaml"})
  void shouldHandTheServiceTokenAndTheUserTokensToTheServicesThatNeedThemOnly(String values) {
    RenderedChart chart = chart(values);
    String tokens = values.isEmpty() ? TOKENS : "claude-telemetry-tokens-from-vault";
    Map<String, Set<String>> readers = new java.util.TreeMap<>();
    chart
        .podSpecs()
        .forEach(
            (workload, pod) ->
                secretsReadBy(pod, allContainers(pod)).stream()
                    .filter(
                        ref -> ref.startsWith(tokens + "/") || ref.startsWith(USER_TOKENS + "/"))
                    .forEach(
                        ref ->
                            readers
                                .computeIfAbsent(ref, r -> new java.util.TreeSet<>())
                                .add(workload)));

    assertThat(readers.get(tokens + "/service-token"))
        .containsExactlyInAnyOrder(
            "StatefulSet/hook-ingest",
            "Deployment/transcript-service",
            "Deployment/otel-collector");
    assertThat(readers.get(tokens + "/read-token"))
        .containsExactly("Deployment/transcript-service");
    assertThat(readers.get(USER_TOKENS + "/*"))
        .containsExactlyInAnyOrder("StatefulSet/hook-ingest", "Deployment/transcript-service");
    assertThat(readers.keySet())
        .as("no other key of the token Secrets is read anywhere but a workspace's own")
        .allMatch(
            ref ->
                Stream.of("service-token", "read-token", "*")
                        .anyMatch(key -> ref.endsWith("/" + key))
                    || ref.startsWith(USER_TOKENS + "/"));

    for (String service : List.of("StatefulSet/hook-ingest", "Deployment/transcript-service")) {
      PodSpec pod = chart.podSpecs().get(service);
      Container container = pod.getContainers().get(0);
      assertThat(container.getEnv())
          .filteredOn(e -> e.getName().equals("CLAUDE_TELEMETRY_USER_TOKENS_DIR"))
          .singleElement()
          .satisfies(e -> assertThat(e.getValue()).isEqualTo(DIR));
      assertThat(container.getVolumeMounts())
          .filteredOn(m -> m.getMountPath().equals(DIR))
          .singleElement()
          .satisfies(m -> assertThat(m.getReadOnly()).isTrue());
      assertThat(container.getEnv()).noneMatch(e -> e.getName().equals("HOOK_INGEST_TOKEN"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "helm/claude-telemetry/ci/team-values.yaml"})
  void shouldGenerateADistinctKeptTokenPerUser(String values) {
    RenderedChart chart = chart(values);
    Secret userTokens = chart.object(Secret.class, USER_TOKENS);
    List<String> users =
        chart.objects(StatefulSet.class).stream()
            .map(s -> s.getMetadata().getLabels().get("claude-telemetry.dev/user"))
            .filter(u -> u != null)
            .toList();

    assertThat(userTokens.getMetadata().getAnnotations())
        .containsEntry("helm.sh/resource-policy", "keep");
    assertThat(userTokens.getStringData()).containsOnlyKeys(users);
    assertThat(userTokens.getStringData().values())
        .allSatisfy(token -> assertThat(token).hasSize(40).matches("[A-Za-z0-9]+"))
        .doesNotHaveDuplicates();
  }

  @org.junit.jupiter.api.Test
  void shouldUseAnExistingUserTokenSecretInsteadOfGeneratingOne() {
    RenderedChart chart =
        RenderedChart.render(Map.of("tokens.existingUserTokensSecret", "user-tokens-from-vault"));

    assertThat(chart.find(Secret.class, USER_TOKENS)).isEmpty();
    PodSpec ingest = chart.podSpecs().get("StatefulSet/hook-ingest");
    assertThat(ingest.getVolumes())
        .filteredOn(v -> v.getSecret() != null)
        .extracting(v -> v.getSecret().getSecretName())
        .containsExactly("user-tokens-from-vault");
    PodSpec workspace = chart.podSpecs().get("StatefulSet/claude-code-developer");
    assertThat(secretsReadBy(workspace, workspace.getInitContainers()))
        .contains("user-tokens-from-vault/developer");
  }
}
