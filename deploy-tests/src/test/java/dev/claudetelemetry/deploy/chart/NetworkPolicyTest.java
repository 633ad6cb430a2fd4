package dev.claudetelemetry.deploy.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Who may talk to whom, read back from the rendered NetworkPolicies. */
class NetworkPolicyTest {

  private static final String COMPONENT = "app.kubernetes.io/component";

  private final RenderedChart chart = RenderedChart.render();

  /** Components (pod peers) and namespace selectors allowed in, over every ingress rule. */
  private Set<String> ingressPeers(String policy) {
    NetworkPolicy np = chart.object(NetworkPolicy.class, policy);
    return np.getSpec().getIngress().stream()
        .flatMap(rule -> rule.getFrom().stream())
        .map(NetworkPolicyPeer.class::cast)
        .map(NetworkPolicyTest::describe)
        .collect(Collectors.toSet());
  }

  private Set<Integer> ingressPorts(String policy) {
    NetworkPolicy np = chart.object(NetworkPolicy.class, policy);
    return np.getSpec().getIngress().stream()
        .flatMap(rule -> rule.getPorts().stream())
        .map(p -> p.getPort().getIntVal())
        .collect(Collectors.toSet());
  }

  private static String describe(NetworkPolicyPeer peer) {
    if (peer.getPodSelector() != null && peer.getNamespaceSelector() == null) {
      return "pods:" + peer.getPodSelector().getMatchLabels().get(COMPONENT);
    }
    if (peer.getNamespaceSelector() != null && peer.getPodSelector() == null) {
      return "namespace:"
          + peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name");
    }
    if (peer.getIpBlock() != null) {
      return "cidr:" + peer.getIpBlock().getCidr();
    }
    return "other:" + peer;
  }

  @Test
  void shouldLetOnlyWorkspacesAndPrometheusReachHookIngest() {
    assertThat(ingressPeers("hook-ingest"))
        .containsExactlyInAnyOrder("pods:claude-code", "namespace:monitoring");
    assertThat(ingressPorts("hook-ingest")).containsExactly(8080);
  }

  @Test
  void shouldLetOnlyHookIngestAndPrometheusReachPolicyService() {
    assertThat(ingressPeers("policy-service"))
        .containsExactlyInAnyOrder("pods:hook-ingest", "namespace:monitoring");
  }

  @Test
  void shouldLetOnlyItsWritersAndPrometheusReachTranscriptService() {
    assertThat(ingressPeers("transcript-service"))
        .containsExactlyInAnyOrder(
            "pods:claude-code", "pods:hook-ingest", "pods:otel-collector", "namespace:monitoring");
  }

  @Test
  void shouldLetOnlyTranscriptServiceAndGrafanaReachPostgresql() {
    assertThat(ingressPeers("postgresql"))
        .containsExactlyInAnyOrder("pods:transcript-service", "namespace:monitoring");
    assertThat(ingressPorts("postgresql")).containsExactly(5432);
  }

  @Test
  void shouldLetWorkspacesSendOtlpAndPrometheusScrapeTheCollector() {
    NetworkPolicy np = chart.object(NetworkPolicy.class, "otel-collector");

    assertThat(np.getSpec().getIngress()).hasSize(2);
    assertThat(np.getSpec().getIngress().get(0).getFrom())
        .singleElement()
        .satisfies(p -> assertThat(describe(p)).isEqualTo("pods:claude-code"));
    assertThat(np.getSpec().getIngress().get(0).getPorts())
        .extracting(p -> p.getPort().getIntVal())
        .containsExactlyInAnyOrder(4317, 4318);
    assertThat(np.getSpec().getIngress().get(1).getPorts())
        .extracting(p -> p.getPort().getIntVal())
        .containsExactly(8889);
  }

  @Test
  void shouldShutWorkspacesInAndLetThemOutOnlyToDnsHttpsAndOurServices() {
    NetworkPolicy np = chart.object(NetworkPolicy.class, "claude-code");

    assertThat(np.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
    assertThat(np.getSpec().getIngress()).isNullOrEmpty();
    Map<String, Set<Integer>> egress = new java.util.TreeMap<>();
    np.getSpec()
        .getEgress()
        .forEach(
            rule -> {
              List<String> peers =
                  rule.getTo() == null || rule.getTo().isEmpty()
                      ? List.of("anywhere")
                      : rule.getTo().stream().map(NetworkPolicyTest::describe).toList();
              Set<Integer> ports =
                  rule.getPorts().stream()
                      .map(NetworkPolicyPort::getPort)
                      .map(p -> p.getIntVal())
                      .collect(Collectors.toSet());
              peers.forEach(
                  peer ->
                      egress.computeIfAbsent(peer, k -> new java.util.TreeSet<>()).addAll(ports));
            });
    assertThat(egress)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "anywhere", Set.of(53),
                "cidr:0.0.0.0/0", Set.of(443),
                "pods:hook-ingest", Set.of(8080),
                "pods:transcript-service", Set.of(8080),
                "pods:otel-collector", Set.of(4317, 4318)));
  }

  @Test
  void shouldSelectPodsOfTheComponentEachPolicyIsNamedFor() {
    chart
        .objects(NetworkPolicy.class)
        .forEach(
            np ->
                assertThat(np.getSpec().getPodSelector().getMatchLabels())
                    .containsEntry(COMPONENT, np.getMetadata().getName()));
  }

  @Test
  void shouldUseTheConfiguredPrometheusNamespace() {
    RenderedChart custom =
        RenderedChart.render(
            Map.of(
                "networkPolicies.prometheusNamespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name",
                "observability"));

    NetworkPolicy np = custom.object(NetworkPolicy.class, "policy-service");
    assertThat(np.getSpec().getIngress().get(0).getFrom())
        .extracting(NetworkPolicyTest::describe)
        .contains("namespace:observability")
        .doesNotContain("namespace:monitoring");
  }

  @Test
  void shouldRenderNoNetworkPolicyWhenDisabled() {
    RenderedChart off = RenderedChart.render(Map.of("networkPolicies.enabled", false));

    assertThat(off.objects(NetworkPolicy.class)).isEmpty();
    assertThat(chart.objects(NetworkPolicy.class)).hasSize(6);
  }
}
