package dev.claudetelemetry.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One of our Quarkus services started from the jar its module packaged ({@code mvn package} builds
 * it before the system-test modules run), on 127.0.0.1 and two free ports: the main one (the APIs)
 * and the management interface ({@code /q/metrics}, {@code /q/health}); ready when {@code
 * /q/health/ready} there says so.
 */
public final class ServiceJar implements AutoCloseable {
  private final String module;
  private final int port;
  private final int managementPort;
  private final ManagedProcess process;

  private ServiceJar(String module, int port, int managementPort, ManagedProcess process) {
    this.module = module;
    this.port = port;
    this.managementPort = managementPort;
    this.process = process;
  }

  /** The packaged jar of {@code module} ("policy-service", "hook-ingest", "transcript-service"). */
  public static Path jar(String module) {
    Path jar = RepoPaths.root().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar
              + " is missing: run `mvn -B package -DskipTests` at the root first"
              + " (in a full `mvn verify` the service modules package before the system tests run)");
    }
    return jar;
  }

  public static ServiceJar start(String module, Map<String, String> env, Path logDir) {
    return start(module, FreePorts.next(), env, logDir);
  }

  /**
   * On a chosen port: a service restarted on the port it had, as a restarted pod keeps its Service
   * address.
   */
  public static ServiceJar start(String module, int port, Map<String, String> env, Path logDir) {
    int managementPort = FreePorts.next();
    Map<String, String> fullEnv = new HashMap<>(env);
    fullEnv.put("QUARKUS_HTTP_HOST", "127.0.0.1");
    fullEnv.put("QUARKUS_HTTP_PORT", Integer.toString(port));
    // The jar's own default (9000) would collide with other services and concurrent builds.
    fullEnv.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
    fullEnv.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
    ManagedProcess process =
        ManagedProcess.start(
            module,
            List.of(javaBinary(), "-Xmx256m", "-XX:+UseSerialGC", "-jar", jar(module).toString()),
            fullEnv,
            logDir.resolve(module + ".log"));
    ServiceJar service = new ServiceJar(module, port, managementPort, process);
    process.awaitReady(
        () -> Http.isOk(service.managementUrl("/q/health/ready")), Duration.ofSeconds(90));
    return service;
  }

  public int port() {
    return port;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public String url(String path) {
    return baseUrl() + path;
  }

  /** The management interface: {@code /q/metrics} and {@code /q/health} are only there. */
  public int managementPort() {
    return managementPort;
  }

  public String managementBaseUrl() {
    return "http://127.0.0.1:" + managementPort;
  }

  public String managementUrl(String path) {
    return managementBaseUrl() + path;
  }

  public ManagedProcess process() {
    return process;
  }

  public String module() {
    return module;
  }

  static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  @Override
  public void close() {
    process.close();
  }
}
