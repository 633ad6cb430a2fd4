package dev.claudetelemetry.e2e.pod;

import dev.claudetelemetry.e2e.pod.EmulatedPod.Service;
import dev.claudetelemetry.testsupport.FreePorts;
import dev.claudetelemetry.testsupport.ManagedProcess;
import dev.claudetelemetry.testsupport.PostgresServer;
import dev.claudetelemetry.testsupport.ServiceJar;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The claude-telemetry services as the pod sees them: each packaged jar started inside the pod's
 * network namespace on its Service address, port 8080 (the APIs) and 9000 (the management
 * interface: /q/metrics, /q/health), configured exactly through the env the deployment uses.
 * transcript-service gets a throwaway PostgreSQL inside the same namespace.
 */
public final class PodServices implements AutoCloseable {
  /**
   * The Secret value pods know as CLAUDE_TELEMETRY_TOKEN: hook-ingest's token and
   * transcript-service's write token.
   */
  public static final String POD_TOKEN = "e2e-pod-token-7f3a";

  public static final String READ_TOKEN = "e2e-read-token-19c2";

  /** The chart's management port; the pod's network namespace is this test's own. */
  private static final int MANAGEMENT_PORT = 9000;

  private final EmulatedPod pod;
  private final Map<Service, ManagedProcess> running = new EnumMap<>(Service.class);
  private PostgresServer postgres;

  private PodServices(EmulatedPod pod) {
    this.pod = pod;
  }

  /**
   * Starts {@code which} (transcript-service with its PostgreSQL). Checks every jar first, so a
   * missing build fails at once and says what to run.
   */
  public static PodServices start(EmulatedPod pod, Set<Service> which) {
    for (Service service : which) {
      ServiceJar.jar(service.name);
    }
    PodServices services = new PodServices(pod);
    try {
      if (which.contains(Service.TRANSCRIPT_SERVICE)) {
        services.postgres =
            PostgresServer.start("127.0.0.1", FreePorts.next(), pod.insideNetwork());
        services.start(Service.TRANSCRIPT_SERVICE);
      }
      services.start(Service.POLICY_SERVICE);
      services.start(Service.HOOK_INGEST);
      return services;
    } catch (RuntimeException e) {
      services.close();
      throw e;
    }
  }

  public void start(Service service) {
    Map<String, String> env = new HashMap<>();
    env.put("QUARKUS_HTTP_HOST", service.address);
    env.put("QUARKUS_HTTP_PORT", "8080");
    env.put("QUARKUS_MANAGEMENT_HOST", service.address);
    env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(MANAGEMENT_PORT));
    switch (service) {
      case HOOK_INGEST -> {
        env.put("HOOK_INGEST_TOKEN", POD_TOKEN);
        env.put("POLICY_SERVICE_URL", Service.POLICY_SERVICE.url());
        env.put("TRANSCRIPT_SERVICE_URL", Service.TRANSCRIPT_SERVICE.url());
        env.put("TRANSCRIPT_SERVICE_TOKEN", POD_TOKEN);
        // As the chart runs it: every event in the spool before its hook is answered. The same
        // directory across restarts, as the replica's volume.
        env.put("HOOK_INGEST_SPOOL_DIR", pod.workDir().resolve("hook-ingest-spool").toString());
      }
      case TRANSCRIPT_SERVICE -> {
        env.putAll(postgres.quarkusEnv());
        env.put("TRANSCRIPT_WRITE_TOKEN", POD_TOKEN);
        env.put("TRANSCRIPT_READ_TOKEN", READ_TOKEN);
      }
      case POLICY_SERVICE -> {}
      default -> throw new IllegalArgumentException(service + " is not one of ours");
    }
    String module = service.name;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ManagedProcess process =
        pod.startProcess(
            module,
            List.of(
                java,
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-jar",
                ServiceJar.jar(module).toString()),
            env);
    running.put(service, process);
    process.awaitReady(
        () -> pod.get(managementUrl(service, "/q/health/ready"), null) != null,
        Duration.ofSeconds(120));
  }

  /** Stops one service (SIGTERM, then SIGKILL), as a crashed or scaled-down Deployment would be. */
  public void stop(Service service) {
    ManagedProcess process = running.remove(service);
    if (process != null) {
      process.stop(Duration.ofSeconds(10));
    }
  }

  /** SIGKILL to one service: what an OOM kill or a node failure does to it. */
  public void kill(Service service) {
    ManagedProcess process = running.remove(service);
    if (process != null) {
      ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroyForcibly);
      process.stop(Duration.ofSeconds(10));
    }
  }

  /** Stops transcript-service's PostgreSQL (keeping its data) or starts it again. */
  public void postgres(boolean up) {
    if (up) {
      postgres.startAgain();
    } else {
      postgres.stopServer();
    }
  }

  /** One SQL statement in transcript-service's database. */
  public String psql(String sql) {
    return postgres.psql(PostgresServer.DATABASE, sql);
  }

  public static String url(Service service, String path) {
    return "http://" + service.address + ":8080" + path;
  }

  /**
   * {@code path} on {@code service}'s management interface. In the cluster only Prometheus reaches
   * it (NetworkPolicy); this emulated pod has no NetworkPolicy, so the tests read it from inside.
   */
  public static String managementUrl(Service service, String path) {
    return "http://" + service.address + ":" + MANAGEMENT_PORT + path;
  }

  /** A scrape of {@code service}'s /q/metrics (management port) from inside the pod. */
  public MetricsSnapshot metrics(Service service) {
    String text = pod.get(managementUrl(service, "/q/metrics"), null);
    if (text == null) {
      throw new IllegalStateException(service.name + " /q/metrics is not reachable");
    }
    return MetricsSnapshot.parse(text);
  }

  public String logTail(Service service, int lines) {
    ManagedProcess process = running.get(service);
    return process == null ? "(not running)" : process.logTail(lines);
  }

  @Override
  public void close() {
    for (Service service :
        List.of(Service.HOOK_INGEST, Service.POLICY_SERVICE, Service.TRANSCRIPT_SERVICE)) {
      stop(service);
    }
    if (postgres != null) {
      postgres.close();
    }
  }
}
