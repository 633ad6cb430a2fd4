import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * The policy replay benchmark's baseline and loader (run.sh runs the replay itself):
 * 1. baseline: every generated hook input judged by the live policy-service over HTTP, one POST
 *    /v1/decisions per call with CONCURRENCY requests in flight (what judging history through the
 *    service would cost), then the same inputs through /v1/decisions:batch (500 per request);
 * 2. the per-call answers become the recorded decisions, and every call is stored through
 *    transcript-service's POST /v1/events (1000 per batch), as hook-ingest stores them.
 *
 * usage: java -cp 'policy-service/target/quarkus-app/lib/main/*' ReplayBench.java CALLS.jsonl
 *        POLICY_URL TRANSCRIPT_URL WRITE_TOKEN
 */
public class ReplayBench {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int CONCURRENCY = 16;

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    String policyUrl = args[1];
    String transcriptUrl = args[2];
    String writeToken = args[3];
    long servicePid = Long.parseLong(args[4]);
    List<ObjectNode> items = new ArrayList<>();
    List<byte[]> events = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      ObjectNode item = (ObjectNode) JSON.readTree(line);
      items.add(item);
      events.add(JSON.writeValueAsBytes(item.get("event")));
    }
    int n = events.size();
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    System.out.printf("calls: %,d from %s%n", n, file);

    // warm-up: the service's JIT sees the decision path before it is measured
    perCall(client, policyUrl, events.subList(0, Math.min(n, 5000)), new JsonNode[n]);

    JsonNode[] decisions = new JsonNode[n];
    String load = loadAverage();
    long cpu = cpuMillis(servicePid) + ownCpuMillis();
    long start = System.nanoTime();
    perCall(client, policyUrl, events, decisions);
    double perCallSeconds = (System.nanoTime() - start) / 1e9;
    cpu = cpuMillis(servicePid) + ownCpuMillis() - cpu;
    System.out.printf(
        "baseline, live policy-service, POST /v1/decisions per call (%d in flight): %,d calls in %.1f s = %,.0f calls/s; CPU of service + client %.1f s = %,.0f calls per CPU-second (load average %s before, %s after)%n",
        CONCURRENCY, n, perCallSeconds, n / perCallSeconds, cpu / 1e3, n / (cpu / 1e3), load, loadAverage());

    load = loadAverage();
    cpu = cpuMillis(servicePid) + ownCpuMillis();
    start = System.nanoTime();
    int batches = 0;
    for (int from = 0; from < n; from += 500) {
      StringBuilder body = new StringBuilder("{\"inputs\":[");
      for (int i = from; i < Math.min(n, from + 500); i++) {
        body.append(i == from ? "" : ",").append(new String(events.get(i), StandardCharsets.UTF_8));
      }
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(URI.create(policyUrl + "/v1/decisions:batch"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body.append("]}").toString()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("batch answered " + response.statusCode() + ": " + response.body());
      }
      batches++;
    }
    double batchSeconds = (System.nanoTime() - start) / 1e9;
    cpu = cpuMillis(servicePid) + ownCpuMillis() - cpu;
    System.out.printf(
        "baseline, live policy-service, POST /v1/decisions:batch (500 per request, %d requests): %,d calls in %.1f s = %,.0f calls/s; CPU of service + client %.1f s = %,.0f calls per CPU-second (load average %s before, %s after)%n",
        batches, n, batchSeconds, n / batchSeconds, cpu / 1e3, n / (cpu / 1e3), load, loadAverage());

    int[] verdicts = new int[4];
    start = System.nanoTime();
    for (int from = 0; from < n; from += 1000) {
      StringBuilder body = new StringBuilder("{\"events\":[");
      for (int i = from; i < Math.min(n, from + 1000); i++) {
        ObjectNode item = items.get(i);
        JsonNode policy = decisions[i].get("policy");
        ObjectNode decision = item.putObject("decision");
        decision.put("verdict", policy.get("verdict").asText());
        decision.set("ruleId", policy.get("ruleId"));
        decision.put("mode", policy.get("mode").asText());
        decision.put("source", "policy");
        decision.set("reason", policy.get("reason"));
        verdicts[List.of("none", "allow", "ask", "deny").indexOf(policy.get("verdict").asText())]++;
        body.append(i == from ? "" : ",").append(JSON.writeValueAsString(item));
      }
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(URI.create(transcriptUrl + "/v1/events"))
                  .header("Authorization", "Bearer " + writeToken)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body.append("]}").toString()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("events answered " + response.statusCode() + ": " + response.body());
      }
    }
    System.out.printf(
        "recorded: %,d PreToolUse events stored through POST /v1/events in %.1f s (verdicts recorded: none %,d, allow %,d, ask %,d, deny %,d)%n",
        n, (System.nanoTime() - start) / 1e9, verdicts[0], verdicts[1], verdicts[2], verdicts[3]);
  }

  static void perCall(HttpClient client, String policyUrl, List<byte[]> events, JsonNode[] into)
      throws Exception {
    Semaphore inFlight = new Semaphore(CONCURRENCY);
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      int index = i;
      inFlight.acquire();
      pending.add(
          client
              .sendAsync(
                  HttpRequest.newBuilder(URI.create(policyUrl + "/v1/decisions"))
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofByteArray(events.get(i)))
                      .build(),
                  HttpResponse.BodyHandlers.ofByteArray())
              .thenAccept(
                  response -> {
                    try {
                      if (response.statusCode() != 200) {
                        throw new IllegalStateException("decision answered " + response.statusCode());
                      }
                      into[index] = JSON.readTree(response.body());
                    } catch (java.io.IOException e) {
                      throw new IllegalStateException(e);
                    }
                  })
              .whenComplete((ok, error) -> inFlight.release()));
      if (pending.size() >= 4096) {
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
        pending.clear();
      }
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
  }

  /** User + system CPU of a process so far (from /proc; clock ticks of 10 ms). */
  static long cpuMillis(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
  }

  static long ownCpuMillis() {
    return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toMillis()).orElse(0L);
  }

  static String loadAverage() throws Exception {
    String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return parts[0] + " " + parts[1] + " " + parts[2];
  }
}
