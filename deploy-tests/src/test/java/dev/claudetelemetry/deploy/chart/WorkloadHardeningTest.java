package dev.claudetelemetry.deploy.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every pod the chart renders runs hardened, bounded and probed, in every install scenario. */
class WorkloadHardeningTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final List<String> QUARKUS_SERVICES =
      List.of("hook-ingest", "policy-service", "transcript-service");

  static Stream<String> scenarios() throws Exception {
    return ChartRenderingTest.scenarios();
  }

  private static List<Container> containers(PodSpec pod) {
    List<Container> all = new ArrayList<>(pod.getContainers());
    if (pod.getInitContainers() != null) {
      all.addAll(pod.getInitContainers());
    }
    return all;
  }

  /**
   * The one container allowed to escalate: the workspace container, and only in a scenario that
   * asks for {@code claudeCode.sudo}. Any other container that escalates fails the checks below.
   */
  private static boolean sudoWorkspace(String workload, boolean sudo, Container container) {
    return sudo
        && workload.startsWith("StatefulSet/claude-code-")
        && container.getName().equals("claude-code");
  }

  private static boolean setsSudo(String scenario) throws IOException {
    JsonNode values = YAML.readTree(RepoFiles.chart().resolve("ci").resolve(scenario).toFile());
    return values.path("claudeCode").path("sudo").asBoolean(false);
  }

  /** Names of the pod's volumes that are emptyDirs. */
  private static Set<String> emptyDirs(PodSpec pod) {
    Set<String> names = new HashSet<>();
    if (pod.getVolumes() != null) {
      for (Volume volume : pod.getVolumes()) {
        if (volume.getEmptyDir() != null) {
          names.add(volume.getName());
        }
      }
    }
    return names;
  }

  /** Soft assertions on one pod of the workload named {@code workload}. */
  private interface PodCheck {
    void check(SoftAssertions softly, String workload, PodSpec pod);
  }

  /** Soft assertions on one container, named {@code what} in their messages. */
  private interface ContainerCheck {
    void check(SoftAssertions softly, String what, Container container);
  }

  /**
   * Renders the scenario and runs {@code check} softly on each of its pods, so that one run reports
   * every pod that fails.
   */
  private static void assertEachPod(String scenario, PodCheck check) {
    RenderedChart chart = RenderedChart.render("helm/claude-telemetry/ci/" + scenario);

    assertSoftly(
        softly -> chart.podSpecs().forEach((workload, pod) -> check.check(softly, workload, pod)));
  }

  /** {@link #assertEachPod} for the containers {@code picked} from each pod. */
  private static void assertEachContainer(
      String scenario, Function<PodSpec, List<Container>> picked, ContainerCheck check) {
    assertEachPod(
        scenario,
        (softly, workload, pod) -> {
          for (Container container : picked.apply(pod)) {
            check.check(softly, workload + " container " + container.getName(), container);
          }
        });
  }

  @ParameterizedTest(name = "ci/{0}")
  @MethodSource("scenarios")
  void shouldRunEveryPodAsNonRootWithRuntimeDefaultSeccomp(String scenario) {
    assertEachPod(
        scenario,
        (softly, workload, pod) -> {
          softly
              .assertThat(pod.getSecurityContext().getRunAsNonRoot())
              .as("%s runAsNonRoot", workload)
              .isTrue();
          softly
              .assertThat(pod.getSecurityContext().getRunAsUser())
              .as("%s runAsUser", workload)
              .isPositive();
          softly
              .assertThat(pod.getSecurityContext().getSeccompProfile().getType())
              .as("%s seccomp", workload)
              .isEqualTo("RuntimeDefault");
          softly
              .assertThat(pod.getAutomountServiceAccountToken())
              .as("%s automountServiceAccountToken", workload)
              .isFalse();
        });
  }

  @ParameterizedTest(name = "ci/{0}")
  @MethodSource("scenarios")
  void shouldDropAllCapabilitiesAndKeepTheRootFilesystemReadOnly(String scenario)
      throws IOException {
    boolean sudo = setsSudo(scenario);

    assertEachPod(
        scenario,
        (softly, workload, pod) -> {
          for (Container container : containers(pod)) {
            SecurityContext sc = container.getSecurityContext();
            String what = workload + " container " + container.getName();
            softly.assertThat(sc).as(what).isNotNull();
            softly
                .assertThat(sc.getCapabilities().getDrop())
                .as("%s drops", what)
                .containsExactly("ALL");
            softly.assertThat(sc.getRunAsNonRoot()).as("%s runAsNonRoot", what).isTrue();
            if (sudoWorkspace(workload, sudo, container)) {
              continue; // checked in shouldRelaxOnlyTheWorkspaceContainerForSudo
            }
            softly
                .assertThat(sc.getAllowPrivilegeEscalation())
                .as("%s allowPrivilegeEscalation", what)
                .isFalse();
            softly
                .assertThat(sc.getReadOnlyRootFilesystem())
                .as("%s readOnlyRootFilesystem", what)
                .isTrue();
            softly.assertThat(sc.getCapabilities().getAdd()).as("%s adds", what).isNullOrEmpty();
            if (!pod.getContainers().contains(container)) {
              // Init containers run one command that writes only to its own volume.
              continue;
            }
            Set<String> emptyDirs = emptyDirs(pod);
            softly
                .assertThat(container.getVolumeMounts())
                .as("%s has a writable /tmp on an emptyDir", what)
                .anySatisfy(
                    m -> {
                      assertThat(m.getMountPath()).isEqualTo("/tmp");
                      assertThat(emptyDirs).contains(m.getName());
                    });
          }
        });
  }

  @ParameterizedTest(name = "ci/{0}")
  @MethodSource("scenarios")
  void shouldBoundEveryContainersMemoryAndRequestCpu(String scenario) {
    assertEachContainer(
        scenario,
        WorkloadHardeningTest::containers,
        (softly, what, container) -> {
          softly
              .assertThat(container.getResources().getRequests())
              .as("%s requests", what)
              .containsKeys("cpu", "memory");
          softly
              .assertThat(container.getResources().getLimits())
              .as("%s limits", what)
              .containsKey("memory");
        });
  }

  @ParameterizedTest(name = "ci/{0}")
  @MethodSource("scenarios")
  void shouldProbeEveryLongRunningContainer(String scenario) {
    assertEachContainer(
        scenario,
        PodSpec::getContainers,
        (softly, what, container) -> {
          softly
              .assertThat(container.getReadinessProbe())
              .as("%s readinessProbe", what)
              .isNotNull();
          softly.assertThat(container.getLivenessProbe()).as("%s livenessProbe", what).isNotNull();
        });
  }

  @Test
  void shouldProbeTheQuarkusServicesOnTheirHealthEndpointsAndGiveThemATmpVolume() {
    RenderedChart chart = RenderedChart.render();

    for (String service : QUARKUS_SERVICES) {
      // hook-ingest is a StatefulSet (its spool's volume per replica), the other two Deployments.
      PodSpec pod =
          chart
              .podSpecs()
              .getOrDefault(
                  "Deployment/" + service, chart.podSpecs().get("StatefulSet/" + service));
      Container container = pod.getContainers().get(0);
      assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/q/health/started");
      assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
      assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
      // /q/health is served on the management interface only (quarkus.management.enabled).
      for (Probe probe :
          List.of(
              container.getStartupProbe(),
              container.getLivenessProbe(),
              container.getReadinessProbe())) {
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("management");
      }
      assertThat(container.getPorts())
          .extracting(p -> p.getName() + "=" + p.getContainerPort())
          .containsExactlyInAnyOrder("http=8080", "management=9000");
      assertThat(container.getEnv())
          .extracting(e -> e.getName() + "=" + e.getValue())
          .contains("QUARKUS_HTTP_PORT=8080", "QUARKUS_MANAGEMENT_PORT=9000");
      // tree-sitter and JNA extract native libraries to java.io.tmpdir; the root filesystem is
      // read-only.
      assertThat(container.getVolumeMounts())
          .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
    }
  }

  @Test
  void shouldCreateADisruptionBudgetExactlyForServicesWithMoreThanOneReplica() {
    RenderedChart two =
        RenderedChart.render(Map.of("hookIngest.replicas", 2, "transcriptService.replicas", 1));
    RenderedChart one =
        RenderedChart.render(Map.of("hookIngest.replicas", 1, "transcriptService.replicas", 3));

    assertThat(two.names())
        .contains("PodDisruptionBudget/hook-ingest")
        .doesNotContain("PodDisruptionBudget/transcript-service");
    assertThat(one.names())
        .contains("PodDisruptionBudget/transcript-service")
        .doesNotContain("PodDisruptionBudget/hook-ingest");
  }

  @Test
  void shouldRelaxOnlyTheWorkspaceContainerForSudo() {
    RenderedChart plain = RenderedChart.render();
    RenderedChart sudo = RenderedChart.render(Map.of("claudeCode.sudo", true));

    SecurityContext locked = workspace(plain).getContainers().get(0).getSecurityContext();
    SecurityContext relaxed = workspace(sudo).getContainers().get(0).getSecurityContext();
    assertThat(locked.getAllowPrivilegeEscalation()).isFalse();
    assertThat(locked.getReadOnlyRootFilesystem()).isTrue();
    assertThat(relaxed.getAllowPrivilegeEscalation()).isTrue();
    assertThat(relaxed.getReadOnlyRootFilesystem()).isFalse();
    assertThat(relaxed.getCapabilities().getAdd())
        .contains("SETUID", "SETGID")
        .doesNotContain("SYS_ADMIN", "NET_ADMIN");
    assertThat(workspace(plain).getContainers().get(0).getImage())
        .isEqualTo("ghcr.io/claude-telemetry/claude-code:0.1.0");
    assertThat(workspace(sudo).getContainers().get(0).getImage())
        .isEqualTo("ghcr.io/claude-telemetry/claude-code:0.1.0-sudo");
    // the identity init container and every other pod stay locked down
    assertThat(
            workspace(sudo)
                .getInitContainers()
                .get(0)
                .getSecurityContext()
                .getAllowPrivilegeEscalation())
        .isFalse();
    assertThat(
            sudo.podSpecs()
                .get("StatefulSet/hook-ingest")
                .getContainers()
                .get(0)
                .getSecurityContext()
                .getReadOnlyRootFilesystem())
        .isTrue();
  }

  /** The Claude Code pod the chart renders for the user {@code developer}. */
  private static PodSpec workspace(RenderedChart chart) {
    return chart.podSpecs().get("StatefulSet/claude-code-developer");
  }
}
