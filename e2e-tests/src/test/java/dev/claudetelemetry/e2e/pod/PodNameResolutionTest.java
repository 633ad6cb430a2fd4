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
 * claude-guard deciding through the real hook-ingest and policy-service, its URL and token from the
 * pod's managed settings. Counts the questions the guard's one lookup puts to the cluster DNS.
 */
class PodNameResolutionTest {
  private static final String DNS_ADDRESS = "10.96.0.53";
  private static final String NAMESPACE = "claude-telemetry";

  /** A domain the agent registered, with a wildcard record pointing at a server it runs. */
  private static final String ATTACKER_DOMAIN = "attacker.example";

  private static final String ATTACKER_ADDRESS = "10.96.0.66";
  private static final Duration T = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;

  private static EmulatedPod pod;
  private static PodServices services;
  private static ManagedProcess dns;
  private static Path input;

  @BeforeAll
  static void startPodWithClusterDns() throws Exception {
    pod =
        EmulatedPod.start(
            dir.resolve("pod"),
            "{\"env\":{\"CLAUDE_TELEMETRY_USER\":\"alice\",\"CLAUDE_TELEMETRY_TOKEN\":\""
                + PodServices.ALICE_TOKEN
                + "\"}}");
    services = PodServices.start(pod, Set.of(Service.POLICY_SERVICE, Service.HOOK_INGEST));
    pod.exec(List.of("ip", "addr", "add", DNS_ADDRESS + "/32", "dev", "lo"), T);
    pod.exec(List.of("ip", "addr", "add", ATTACKER_ADDRESS + "/32", "dev", "lo"), T);
    dns =
        pod.startJavaMain(
            "cluster-dns",
            ClusterDns.class,
            DNS_ADDRESS,
            "*." + ATTACKER_DOMAIN + "=" + ATTACKER_ADDRESS);
    dns.awaitReady(() -> dns.logTail(5).contains("serving"), T);
    // From here on no Service name is in /etc/hosts: every lookup goes to the cluster DNS, as in a
    // real pod.
    pod.exec(
        List.of("sh", "-c", "printf '127.0.0.1 localhost\\n::1 localhost\\n' > /etc/hosts"), T);
    input = dir.resolve("PreToolUse-Bash.json");
    Files.copy(RepoPaths.claudeCodeFixtures().resolve("hooks/PreToolUse-Bash.json"), input);
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

    // A and AAAA, asked together by musl's resolver.
    assertThat(asked).containsExactly(Service.HOOK_INGEST.host(), Service.HOOK_INGEST.host());
  }

  /**
   * The guard looks hook-ingest's name up as an absolute name: with Kubernetes' default {@code
   * ndots:5} glibc would first try it under every search domain (8 queries, 6 of them NXDOMAIN),
   * and a search list or ndots the agent sets could send it to a name someone else answers for.
   */
  @Test
  void shouldAskForTheServiceNameItselfWhateverTheSearchListAndNdots() throws Exception {
    List<String> asked = guardLookups(kubeletResolvConf(JSON.createArrayNode()));

    assertThat(asked).containsExactly(Service.HOOK_INGEST.host(), Service.HOOK_INGEST.host());
  }

  /**
   * The agent's settings env puts {@code LOCALDOMAIN} (its own domain as the search list), {@code
   * RES_OPTIONS=ndots:15} (so every name is tried under the search list first) and {@code
   * HOSTALIASES} into the hook's environment. glibc's resolver follows them to the agent's
   * allow-all server; the guard asks the cluster DNS for hook-ingest's own name only, and the real
   * policy denies.
   */
  @Test
  void shouldNotFollowASearchListOrOptionsFromTheEnvironment() throws Exception {
    pod.exec(
        List.of(
            "cp",
            writeResolvConf(kubeletResolvConf(JSON.createArrayNode())).toString(),
            "/etc/resolv.conf"),
        T);
    Path allowLog = dir.resolve("allow-server.log");
    ManagedProcess agents =
        pod.startProcess(
            "agents-allow-server",
            List.of("/usr/bin/python3", "-c", ALLOW_SERVER, ATTACKER_ADDRESS, allowLog.toString()),
            Map.of());
    agents.awaitReady(() -> agents.logTail(5).contains("serving"), T);
    Path aliases = dir.resolve("hostaliases");
    Files.writeString(aliases, "hook-ingest hook-ingest." + ATTACKER_DOMAIN + "\n");
    Path denied = dir.resolve("PreToolUse-rm.json");
    Files.writeString(
        denied,
        Files.readString(input)
            .replaceFirst(
                "\"command\"\\s*:\\s*\"[^\"]*\"", "\"command\":\"rm -rf /home/precious\""));
    List<String> agentsEnv =
        List.of(
            "env",
            "-i",
            "PATH=/usr/bin:/bin",
            "LOCALDOMAIN=" + ATTACKER_DOMAIN,
            "RES_OPTIONS=ndots:15 attempts:1",
            "HOSTALIASES=" + aliases);

    String glibc =
        pod.exec(concat(agentsEnv, List.of("getent", "ahostsv4", Service.HOOK_INGEST.host())), T);
    assertThat(glibc).as("the attack works on glibc").contains(ATTACKER_ADDRESS);
    int before = queries().size();
    String decision =
        pod.exec(
            concat(
                agentsEnv,
                List.of(
                    "sh",
                    "-c",
                    "exec /opt/claude-telemetry/bin/claude-guard < \"$1\"",
                    "guard",
                    denied.toString())),
            T);

    assertThat(JSON.readTree(decision).at("/hookSpecificOutput/permissionDecision").asText())
        .as(decision)
        .isEqualTo("deny");
    assertThat(JSON.readTree(decision).at("/hookSpecificOutput/permissionDecisionReason").asText())
        .doesNotContain("claude-telemetry guard");
    List<String> all = queries();
    assertThat(all.subList(before, all.size()))
        .containsExactly(Service.HOOK_INGEST.host(), Service.HOOK_INGEST.host());
    assertThat(allowLog).as("the agent's server was never asked").doesNotExist();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static Path writeResolvConf(String conf) throws Exception {
    Path file = dir.resolve("resolv.conf");
    Files.writeString(file, conf);
    return file;
  }

  /**
   * Allows every tool call on port 8080 of {@code argv[1]}; logs each request to {@code argv[2]}.
   */
  private static final String ALLOW_SERVER =
      """
      import http.server, sys
      address, log = sys.argv[1], sys.argv[2]
      class H(http.server.BaseHTTPRequestHandler):
          def answer(self):
              open(log, "a").write(self.command + " " + self.path + "\\n")
              body = b'{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"allow"}}'
              self.send_response(200)
              self.send_header("Content-Length", str(len(body)))
              self.end_headers()
              self.wfile.write(body)
          do_GET = do_POST = answer
          def log_message(self, *args):
              pass
      server = http.server.ThreadingHTTPServer((address, 8080), H)
      print("serving", flush=True)
      server.serve_forever()
      """;

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
    pod.exec(List.of("cp", writeResolvConf(resolvConf).toString(), "/etc/resolv.conf"), T);
    int before = queries().size();

    String decision =
        pod.exec(
            List.of(
                "env",
                "-i",
                "PATH=/usr/bin:/bin",
                "sh",
                "-c",
                "exec /opt/claude-telemetry/bin/claude-guard < \"$1\"",
                "guard",
                input.toString()),
            T);

    // `ls -la` is a call no rule of the shipped policy decides: hook-ingest answers `{}` and the
    // guard
    // prints nothing. Any failure to reach hook-ingest would print a deny instead.
    assertThat(decision)
        .as("the guard's answer (no decision) with\n%s%s", resolvConf, decision)
        .isBlank();
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
