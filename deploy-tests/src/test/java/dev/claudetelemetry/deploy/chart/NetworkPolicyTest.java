package dev.claudetelemetry.deploy.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Who may talk to whom, read back from the rendered NetworkPolicies. */
class NetworkPolicyTest {

  private static final String COMPONENT = "app.kubernetes.io/component";

  private final RenderedChart chart = RenderedChart.render();

  /** Components (pod peers) and namespace selectors allowed in, over every ingress rule. */
  private Set<String> ingressPeers(String policy) {
    return ingress(chart, policy).keySet();
  }

  private Set<Integer> ingressPorts(String policy) {
    return ingress(chart, policy).values().stream()
        .flatMap(Set::stream)
        .collect(Collectors.toSet());
  }

  /** Each peer allowed in, with the ports it may reach, over every ingress rule. */
  private static Map<String, Set<Integer>> ingress(RenderedChart chart, String policy) {
    NetworkPolicy np = chart.object(NetworkPolicy.class, policy);
    Map<String, Set<Integer>> ingress = new TreeMap<>();
    np.getSpec()
        .getIngress()
        .forEach(
            rule ->
                rule.getFrom()
                    .forEach(
                        peer ->
                            ingress
                                .computeIfAbsent(describe(peer), k -> new TreeSet<>())
                                .addAll(ports(rule.getPorts()))));
    return ingress;
  }

  /** Each peer the workspaces may reach, with its ports ("anywhere" for a rule without peers). */
  private static Map<String, Set<Integer>> workspaceEgress(RenderedChart chart) {
    NetworkPolicy np = chart.object(NetworkPolicy.class, "claude-code");
    Map<String, Set<Integer>> egress = new TreeMap<>();
    np.getSpec()
        .getEgress()
        .forEach(
            rule -> {
              List<String> peers =
                  rule.getTo() == null || rule.getTo().isEmpty()
                      ? List.of("anywhere")
                      : rule.getTo().stream().map(NetworkPolicyTest::describe).toList();
              peers.forEach(
                  peer ->
                      egress
                          .computeIfAbsent(peer, k -> new TreeSet<>())
                          .addAll(ports(rule.getPorts())));
            });
    return egress;
  }

  private static Set<Integer> ports(List<NetworkPolicyPort> ports) {
    return ports.stream()
        .map(NetworkPolicyPort::getPort)
        .map(p -> p.getIntVal())
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
    if (peer.getNamespaceSelector() != null) {
      return "namespace:"
          + peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name")
          + "/pods:"
          + new TreeMap<>(peer.getPodSelector().getMatchLabels());
    }
    if (peer.getIpBlock() != null) {
      return "cidr:" + peer.getIpBlock().getCidr();
    }
    return "other:" + peer;
  }

  @Test
  void shouldLetOnlyWorkspacesReachHookIngestAndOnlyPrometheusItsManagementPort() {
    assertThat(ingress(chart, "hook-ingest"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("pods:claude-code", Set.of(8080), "namespace:monitoring", Set.of(9000)));
  }

  @Test
  void shouldLetOnlyHookIngestReachPolicyServiceAndOnlyPrometheusItsManagementPort() {
    assertThat(ingress(chart, "policy-service"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("pods:hook-ingest", Set.of(8080), "namespace:monitoring", Set.of(9000)));
  }

  @Test
  void shouldLetOnlyItsWritersReachTranscriptServiceAndOnlyPrometheusItsManagementPort() {
    assertThat(ingress(chart, "transcript-service"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "pods:claude-code", Set.of(8080),
                "pods:hook-ingest", Set.of(8080),
                "pods:otel-collector", Set.of(8080),
                "namespace:monitoring", Set.of(9000)));
  }

  @Test
  void shouldKeepEveryMetricsPortAwayFromTheWorkspaces() {
    // /q/metrics names every user and counts their activity: no policy lets a workspace pod reach
    // the management port of a service or the collector's Prometheus exporter, in either direction.
    Set<Integer> metricsPorts = Set.of(9000, 8889, 13133);
    for (NetworkPolicy np : chart.objects(NetworkPolicy.class)) {
      String name = np.getMetadata().getName();
      if (name.equals("claude-code")) {
        continue;
      }
      assertThat(ingress(chart, name).getOrDefault("pods:claude-code", Set.of()))
          .as("ports of %s open to the workspaces", name)
          .doesNotContainAnyElementsOf(metricsPorts);
    }
    workspaceEgress(chart)
        .forEach(
            (peer, ports) -> {
              if (peer.startsWith("pods:")) {
                assertThat(ports)
                    .as("egress to %s", peer)
                    .doesNotContainAnyElementsOf(metricsPorts);
              }
            });
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
    assertThat(ingress(chart, "otel-collector"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("pods:claude-code", Set.of(4317, 4318), "namespace:monitoring", Set.of(8889)));
  }

  @Test
  void shouldShutWorkspacesInAndLetThemOutOnlyToClusterDnsHttpsAndOurServices() {
    NetworkPolicy np = chart.object(NetworkPolicy.class, "claude-code");

    assertThat(np.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
    assertThat(np.getSpec().getIngress()).isNullOrEmpty();
    assertThat(workspaceEgress(chart))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "namespace:kube-system/pods:{k8s-app=kube-dns}", Set.of(53),
                "cidr:0.0.0.0/0", Set.of(443),
                "pods:hook-ingest", Set.of(8080),
                "pods:transcript-service", Set.of(8080),
                "pods:otel-collector", Set.of(4317, 4318)));
    // Port 53 over both transports (large answers fall back to TCP), and nowhere else.
    assertThat(
            np.getSpec().getEgress().stream()
                .flatMap(rule -> rule.getPorts().stream())
                .filter(p -> p.getPort().getIntVal() == 53)
                .map(NetworkPolicyPort::getProtocol))
        .containsExactlyInAnyOrder("UDP", "TCP");
  }

  @Test
  void shouldSendWorkspaceDnsToTheConfiguredClusterDns() {
    RenderedChart custom =
        RenderedChart.render(
            Map.of(
                "networkPolicies.dnsNamespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name",
                "dns",
                "networkPolicies.dnsPodSelector.matchLabels.k8s-app",
                "node-local-dns"));

    assertThat(workspaceEgress(custom))
        .containsEntry("namespace:dns/pods:{k8s-app=node-local-dns}", Set.of(53))
        .doesNotContainKey("anywhere");
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

    assertThat(ingress(custom, "policy-service"))
        .containsEntry("namespace:observability", Set.of(9000))
        .doesNotContainKey("namespace:monitoring");
  }

  @Test
  void shouldRenderNoNetworkPolicyWhenDisabled() {
    RenderedChart off = RenderedChart.render(Map.of("networkPolicies.enabled", false));

    assertThat(off.objects(NetworkPolicy.class)).isEmpty();
    assertThat(chart.objects(NetworkPolicy.class)).hasSize(6);
  }
}
