package dev.claudetelemetry.e2e.pod;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.claudetelemetry.e2e.pod.EmulatedPod.Service;
import dev.claudetelemetry.testsupport.ManagedProcess;
import dev.claudetelemetry.testsupport.RepoPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the pod's hooks find hook-ingest when names come from the cluster DNS rather than /etc/hosts:
 * the resolv.conf a kubelet writes (search domains of namespace claude-telemetry, {@code ndots:5}
 * unless the pod's dnsConfig says otherwise), a DNS server answering like CoreDNS, and the real
 * claude-guard deciding through the real hook-ingest and policy-service. Counts the questions the
 * guard's one lookup puts to the cluster DNS.
 */
class PodNameResolutionTest {
  private static final String DNS_ADDRESS = "10.96.0.53";
  private static final String NAMESPACE = "claude-telemetry";
  private static final Duration T = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;

  private static EmulatedPod pod;
  private static PodServices services;
  private static ManagedProcess dns;
  private static Path input;
  private static String hookIngestUrl;

  @BeforeAll
  static void startPodWithClusterDns() throws Exception {
    pod = EmulatedPod.start(dir.resolve("pod"), null);
    services = PodServices.start(pod, Set.of(Service.POLICY_SERVICE, Service.HOOK_INGEST));
    pod.exec(List.of("ip", "addr", "add", DNS_ADDRESS + "/32", "dev", "lo"), T);
    dns = pod.startJavaMain("cluster-dns", ClusterDns.class, DNS_ADDRESS);
    dns.awaitReady(() -> dns.logTail(5).contains("serving"), T);
    // From here on no Service name is in /etc/hosts: every lookup goes to the cluster DNS, as in a
    // real pod.
    pod.exec(
        List.of("sh", "-c", "printf '127.0.0.1 localhost\\n::1 localhost\\n' > /etc/hosts"), T);
    input = dir.resolve("PreToolUse-Bash.json");
    Files.copy(RepoPaths.claudeCodeFixtures().resolve("hooks/PreToolUse-Bash.json"), input);
    hookIngestUrl =
        JSON.readTree(RepoPaths.root().resolve("k8s/claude-code/managed-settings.json").toFile())
            .path("env")
            .path("HOOK_INGEST_URL")
            .asText();
  }

  @AfterAll
  static void stop() {
    if (services != null) {
      services.close();
    }
    if (pod != null) {
      pod.close();
    }
  }

  @Test
  void shouldAskTheClusterDnsOnlyForHookIngestsOwnNameWithTheChartsDnsConfig() throws Exception {
    JsonNode options =
        new YAMLMapper()
            .readTree(RepoPaths.root().resolve("helm/claude-telemetry/values.yaml").toFile())
            .path("claudeCode")
            .path("dnsConfig")
            .path("options");

    List<String> asked = guardLookups(kubeletResolvConf(options));

    assertThat(asked).containsOnly(Service.HOOK_INGEST.host());
  }

  @Test
  void shouldTryEverySearchDomainFirstWithKubernetesDefaultNdots() throws Exception {
    List<String> asked = guardLookups(kubeletResolvConf(JSON.createArrayNode()));

    String host = Service.HOOK_INGEST.host();
    assertThat(asked.stream().distinct())
        .containsExactly(
            host + "." + NAMESPACE + ".svc.cluster.local",
            host + ".svc.cluster.local",
            host + ".cluster.local",
            host);
  }

  /**
   * The resolv.conf a kubelet writes for a pod in namespace claude-telemetry with dnsClusterFirst:
   * the cluster DNS, the namespace's search domains, {@code ndots:5} unless dnsConfig's options
   * name it otherwise.
   */
  private static String kubeletResolvConf(JsonNode dnsConfigOptions) {
    Map<String, String> options = new LinkedHashMap<>(Map.of("ndots", "5"));
    dnsConfigOptions.forEach(o -> options.put(o.path("name").asText(), o.path("value").asText("")));
    StringBuilder conf =
        new StringBuilder(
                "search " + NAMESPACE + ".svc.cluster.local svc.cluster.local cluster.local\n")
            .append("nameserver ")
            .append(DNS_ADDRESS)
            .append("\noptions");
    options.forEach(
        (name, value) -> conf.append(' ').append(name).append(value.isEmpty() ? "" : ":" + value));
    return conf.append('\n').toString();
  }

  /**
   * Runs the guard once with {@code resolvConf}; the names it asked the cluster DNS for, in order
   * (A and AAAA). Only the guard looks up hook-ingest: the services' own lookups of each other are
   * left out.
   */
  private static List<String> guardLookups(String resolvConf) throws Exception {
    Path conf = dir.resolve("resolv.conf");
    Files.writeString(conf, resolvConf);
    pod.exec(List.of("cp", conf.toString(), "/etc/resolv.conf"), T);
    int before = queries().size();

    String decision =
        pod.exec(
            List.of(
                "env",
                "-i",
                "PATH=/usr/bin:/bin",
                "HOOK_INGEST_URL=" + hookIngestUrl,
                "CLAUDE_TELEMETRY_TOKEN=" + PodServices.ALICE_TOKEN,
                "CLAUDE_TELEMETRY_USER=alice",
                "sh",
                "-c",
                "exec /opt/claude-telemetry/bin/claude-guard < \"$1\"",
                "guard",
                input.toString()),
            T);

    assertThat(
            JSON.readTree(decision).path("hookSpecificOutput").path("permissionDecision").asText())
        .as("the guard's answer with\n%s%s", resolvConf, decision)
        .isEqualTo("allow");
    List<String> all = queries();
    return all.subList(before, all.size());
  }

  private static List<String> queries() throws Exception {
    List<String> names = new ArrayList<>();
    for (String line : Files.readAllLines(dns.log())) {
      String[] query = line.split(" ");
      if (query[0].equals("query") && query[1].startsWith(Service.HOOK_INGEST.name + ".")) {
        names.add(query[1]);
      }
    }
    return names;
  }
}
