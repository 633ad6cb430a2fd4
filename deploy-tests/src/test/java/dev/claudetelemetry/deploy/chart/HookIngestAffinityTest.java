package dev.claudetelemetry.deploy.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudetelemetry.testsupport.RepoPaths;
import dev.claudetelemetry.testsupport.ServiceJar;
import io.fabric8.kubernetes.api.model.Service;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Exact tool-call counts with several hook-ingest replicas. For one failed call Claude Code sends
 * PostToolUseFailure and then PostToolUse with the same tool_use_id; a replica counts the call once
 * because it remembers the calls it has counted, but that memory is per replica. Two real
 * hook-ingest processes show the failure mode: the two events reaching different replicas count the
 * call twice, reaching one replica count it once.
 *
 * <p>What the chart does about it: the hook-ingest Service has {@code sessionAffinity: ClientIP}.
 * kube-proxy (iptables and IPVS modes; Cilium's replacement likewise) then sends every new
 * connection from one client IP to the endpoint that client was last sent to, for as long as the
 * client keeps connecting within {@code timeoutSeconds}. Each workspace pod has its own IP and its
 * hooks connect to the Service, so both events of one call land on the same replica: the second
 * case below. Not shown here (no cluster, no kube-proxy): the affinity itself; it breaks only when
 * that replica goes away between the two events, milliseconds apart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HookIngestAffinityTest {
  private static final String TOKEN = "affinity-test-ingest-token";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private ServiceJar replicaA;
  private ServiceJar replicaB;

  @Test
  void shouldGiveTheHookIngestServiceClientIpAffinityThatOutlivesASessionsGaps() {
    Service service = RenderedChart.render().object(Service.class, "hook-ingest");

    assertThat(service.getSpec().getSessionAffinity()).isEqualTo("ClientIP");
    assertThat(service.getSpec().getSessionAffinityConfig().getClientIP().getTimeoutSeconds())
        .as("default timeout: Kubernetes' own 3 hours")
        .isEqualTo(10800);
    Service custom =
        RenderedChart.render(Map.of("hookIngest.sessionAffinity.timeoutSeconds", 3600))
            .object(Service.class, "hook-ingest");
    assertThat(custom.getSpec().getSessionAffinityConfig().getClientIP().getTimeoutSeconds())
        .isEqualTo(3600);
  }

  @Test
  void shouldLeaveTheStatelessServicesWithoutAffinity() {
    RenderedChart chart = RenderedChart.render();
    for (String name : List.of("policy-service", "transcript-service")) {
      assertThat(chart.object(Service.class, name).getSpec().getSessionAffinity())
          .as(name)
          .isNull();
    }
  }

  @BeforeAll
  void startTwoReplicas() throws IOException {
    Path logs = Files.createDirectories(Path.of("target", "hook-ingest-affinity").toAbsolutePath());
    Map<String, String> env = Map.of("HOOK_INGEST_TOKEN", TOKEN);
    replicaA = ServiceJar.start("hook-ingest", env, logs.resolve("a"));
    replicaB = ServiceJar.start("hook-ingest", env, logs.resolve("b"));
  }

  @AfterAll
  void stopReplicas() {
    for (ServiceJar replica : new ServiceJar[] {replicaA, replicaB}) {
      if (replica != null) {
        replica.close();
      }
    }
  }

  @Test
  void aFailedCallWhoseTwoEventsReachTwoReplicasCountsTwice() throws Exception {
    double before = toolCalls(replicaA) + toolCalls(replicaB);

    failedCall(replicaA, replicaB);

    assertThat(toolCalls(replicaA) + toolCalls(replicaB) - before)
        .as("claude_tool_calls_total{tool=Bash} over both replicas")
        .isEqualTo(2);
  }

  @Test
  void aFailedCallWhoseTwoEventsReachOneReplicaCountsOnce() throws Exception {
    double before = toolCalls(replicaA) + toolCalls(replicaB);

    failedCall(replicaA, replicaA);
    failedCall(replicaB, replicaB);

    assertThat(toolCalls(replicaA) + toolCalls(replicaB) - before)
        .as("claude_tool_calls_total{tool=Bash} over both replicas, two calls")
        .isEqualTo(2);
  }

  /** One failed Bash call as Claude Code reports it: PostToolUseFailure, then PostToolUse. */
  private static void failedCall(ServiceJar failureTo, ServiceJar successTo) throws Exception {
    String session = UUID.randomUUID().toString();
    String toolUseId = "toolu_affinity_" + UUID.randomUUID();
    post(failureTo, event("PostToolUseFailure-Bash.json", session, toolUseId));
    post(successTo, event("PostToolUse-Bash.json", session, toolUseId));
  }

  private static String event(String fixture, String session, String toolUseId) throws IOException {
    ObjectNode event =
        (ObjectNode)
            JSON.readTree(
                RepoPaths.claudeCodeFixtures().resolve("hooks").resolve(fixture).toFile());
    event.put("session_id", session);
    event.put("tool_use_id", toolUseId);
    return event.toString();
  }

  private static void post(ServiceJar replica, String body) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(replica.url("/v1/hooks")))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  /** Sum of claude_tool_calls_total{tool="Bash"} on one replica, every outcome and user. */
  private static double toolCalls(ServiceJar replica) throws Exception {
    HttpResponse<String> scrape =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(replica.managementUrl("/q/metrics")))
                .header("Accept", "text/plain; version=0.0.4")
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(scrape.statusCode()).isEqualTo(200);
    return scrape
        .body()
        .lines()
        .filter(l -> l.startsWith("claude_tool_calls_total{") && l.contains("tool=\"Bash\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }
}
