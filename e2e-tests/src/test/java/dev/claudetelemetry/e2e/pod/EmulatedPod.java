package dev.claudetelemetry.e2e.pod;

import dev.claudetelemetry.testsupport.ManagedProcess;
import dev.claudetelemetry.testsupport.RepoPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A claude-code pod without Kubernetes: private mount and network namespaces (unshare, as root)
 * held open by one process. Inside, the cluster's Service names resolve (through that namespace's
 * own /etc/hosts) to private addresses on its loopback, the managed settings sit at
 * /etc/claude-code/managed-settings.json and the hook scripts at /opt/claude-telemetry/bin,
 * bind-mounted read-only from the repository's k8s/claude-code.
 *
 * <p>/etc and /opt are overlaid inside the mount namespace (upper layers in the work directory), so
 * creating /etc/claude-code or editing /etc/hosts there leaves the host's files untouched.
 * Everything started here is stopped by PID on {@link #close()}; the namespaces vanish with their
 * holder process.
 */
public final class EmulatedPod implements AutoCloseable {
  /**
   * Service name → address, as a cluster's DNS would give for a release in namespace
   * claude-telemetry.
   */
  public enum Service {
    HOOK_INGEST("hook-ingest", "10.96.0.10"),
    POLICY_SERVICE("policy-service", "10.96.0.11"),
    TRANSCRIPT_SERVICE("transcript-service", "10.96.0.12"),
    OTEL_COLLECTOR("otel-collector", "10.96.0.13");

    public final String name;
    public final String address;

    Service(String name, String address) {
      this.name = name;
      this.address = address;
    }

    public String host() {
      return name + ".claude-telemetry.svc.cluster.local";
    }

    /** The URL pods use (port 8080, the chart's Service port). */
    public String url() {
      return "http://" + host() + ":8080";
    }
  }

  /** The directory of CLAUDE_HOOK_HANDOFF_SOCKET in k8s/claude-code/managed-settings.json. */
  private static final String HANDOFF_DIR = "/run/claude-telemetry/hook-handoff";

  private static final String HANDOFF_VOLUME = "hook-handoff";
  private static final String HANDOFF_SPOOL_VOLUME = "hook-handoff-spool";

  private final Path workDir;
  private final ManagedProcess holder;
  private final List<ManagedProcess> processes = new ArrayList<>();

  private EmulatedPod(Path workDir, ManagedProcess holder) {
    this.workDir = workDir;
    this.holder = holder;
  }

  /**
   * Creates the namespaces and installs the pod's files. {@code identityDropIn} is the per-pod
   * managed-settings.d/50-identity.json the chart writes, or null for a pod without one.
   */
  public static EmulatedPod start(Path workDir, String identityDropIn) {
    requireRoot();
    try {
      Files.createDirectories(workDir);
      ManagedProcess holder =
          ManagedProcess.start(
              "pod-namespaces",
              List.of(
                  "unshare",
                  "--mount",
                  "--net",
                  "--fork",
                  "--propagation",
                  "private",
                  "sleep",
                  "infinity"),
              Map.of(),
              workDir.resolve("holder.log"));
      EmulatedPod pod = new EmulatedPod(workDir, holder);
      try {
        pod.install(identityDropIn);
      } catch (RuntimeException | IOException e) {
        pod.close();
        throw e;
      }
      return pod;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void install(String identityDropIn) throws IOException {
    Path podFiles = RepoPaths.root().resolve("k8s/claude-code");
    Path dropIns = Files.createDirectories(workDir.resolve("managed-settings.d"));
    if (identityDropIn != null) {
      Files.writeString(dropIns.resolve("50-identity.json"), identityDropIn);
    }
    StringBuilder hosts = new StringBuilder("127.0.0.1 localhost\n::1 localhost\n");
    StringBuilder addresses = new StringBuilder();
    for (Service service : Service.values()) {
      hosts
          .append(service.address)
          .append(' ')
          .append(service.host())
          .append(' ')
          .append(service.name)
          .append('\n');
      addresses.append("ip addr add ").append(service.address).append("/32 dev lo\n");
    }
    Files.writeString(workDir.resolve("hosts"), hosts);
    for (String layer :
        List.of("etc-upper", "etc-work", "opt-upper", "opt-work", "run-upper", "run-work")) {
      Files.createDirectories(workDir.resolve(layer));
    }
    Files.createDirectories(workDir.resolve(HANDOFF_VOLUME));
    Files.createDirectories(workDir.resolve(HANDOFF_SPOOL_VOLUME));
    awaitNamespaces();
    String setup =
        String.join(
            "\n",
            "set -eu",
            "ip link set lo up",
            addresses.toString(),
            "mount -t overlay overlay -o lowerdir=/etc,upperdir="
                + workDir.resolve("etc-upper")
                + ",workdir="
                + workDir.resolve("etc-work")
                + " /etc",
            "mount -t overlay overlay -o lowerdir=/opt,upperdir="
                + workDir.resolve("opt-upper")
                + ",workdir="
                + workDir.resolve("opt-work")
                + " /opt",
            "mount -t overlay overlay -o lowerdir=/run,upperdir="
                + workDir.resolve("run-upper")
                + ",workdir="
                + workDir.resolve("run-work")
                + " /run",
            "mkdir -p /etc/claude-code/managed-settings.d /opt/claude-telemetry/bin " + HANDOFF_DIR,
            "touch /etc/claude-code/managed-settings.json",
            "cp " + workDir.resolve("hosts") + " /etc/hosts",
            bindReadOnly(
                podFiles.resolve("managed-settings.json"),
                "/etc/claude-code/managed-settings.json"),
            bindReadOnly(dropIns, "/etc/claude-code/managed-settings.d"),
            bindReadOnly(podFiles.resolve("bin"), "/opt/claude-telemetry/bin"),
            // The chart's hook-handoff volume, read-only in the claude-code container; the sweep
            // (startTranscriptSweep) mounts it writable in a mount namespace of its own.
            bindReadOnly(workDir.resolve(HANDOFF_VOLUME), HANDOFF_DIR));
    exec(List.of("sh", "-c", setup), Duration.ofSeconds(30));
  }

  private static String bindReadOnly(Path from, String to) {
    return "mount --bind " + from + " " + to + "\nmount -o remount,bind,ro " + to;
  }

  /**
   * unshare forks its child after the namespaces exist; wait until the holder is no longer in ours.
   */
  private void awaitNamespaces() {
    holder.awaitReady(
        () -> {
          try {
            return !Files.readSymbolicLink(
                    Path.of("/proc", Long.toString(holder.pid()), "ns", "net"))
                .equals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")));
          } catch (IOException e) {
            return false;
          }
        },
        Duration.ofSeconds(10));
  }

  /**
   * Replaces the pod's identity drop-in (null removes it), as the chart would by changing the
   * per-user Secret. The drop-in directory is a bind mount, so the change is visible inside at
   * once.
   */
  public void identityDropIn(String json) {
    Path dropIn = workDir.resolve("managed-settings.d/50-identity.json");
    try {
      if (json == null) {
        Files.deleteIfExists(dropIn);
      } else {
        Files.writeString(dropIn, json);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts the chart's transcript-sweep container: claude-transcript-sweep with the chart's argv
   * (here with the given interval and quiet period), in a mount namespace of its own where the
   * hook-handoff volume is writable (in the rest of the pod it is read-only, as in the claude-code
   * container) and its hand-off spool is a directory the pod does not mount.
   */
  public ManagedProcess startTranscriptSweep(Path projects, int intervalSeconds, int quietSeconds) {
    return startProcess(
        "transcript-sweep",
        List.of(
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            "set -e; mount --bind \"$1\" " + HANDOFF_DIR + "; shift; exec \"$@\"",
            "sh",
            workDir.resolve(HANDOFF_VOLUME).toString(),
            "/opt/claude-telemetry/bin/claude-transcript-sweep",
            projects.toString(),
            Integer.toString(intervalSeconds),
            Integer.toString(quietSeconds),
            handoffSpool().toString()),
        Map.of());
  }

  /** The transcript-sweep container's own volume, where handed-off hook events wait. */
  public Path handoffSpool() {
    return workDir.resolve(HANDOFF_SPOOL_VOLUME);
  }

  /** The prefix that runs a command inside the pod, in {@code workingDirectory}. */
  public List<String> inside(Path workingDirectory) {
    return List.of(
        "nsenter", "-t", Long.toString(holder.pid()), "-m", "-n", "--wd=" + workingDirectory);
  }

  /** The prefix that runs a command in the pod's network namespace only (for PostgreSQL). */
  public List<String> insideNetwork() {
    return List.of("nsenter", "-t", Long.toString(holder.pid()), "-n");
  }

  /** Starts a long-running process inside the pod; it is stopped by PID when the pod closes. */
  public ManagedProcess startProcess(String name, List<String> command, Map<String, String> env) {
    List<String> full = new ArrayList<>(inside(workDir));
    full.addAll(command);
    ManagedProcess process =
        ManagedProcess.start(name, full, env, workDir.resolve("logs").resolve(name + ".log"));
    processes.add(process);
    return process;
  }

  /**
   * Starts {@code main}, a class of these test classes, inside the pod in a small JVM, with {@code
   * args}; it is stopped by PID when the pod closes.
   */
  public ManagedProcess startJavaMain(String name, Class<?> main, String... args) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classes;
    try {
      classes =
          Path.of(main.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    List<String> command =
        new ArrayList<>(List.of(java, "-Xmx32m", "-cp", classes, main.getName()));
    command.addAll(List.of(args));
    return startProcess(name, command, Map.of());
  }

  /**
   * Runs a short command inside the pod; returns its stdout, fails with its output on a non-zero
   * exit.
   */
  public String exec(List<String> command, Duration timeout) {
    List<String> full = new ArrayList<>(inside(workDir));
    full.addAll(command);
    try {
      // Output goes to a file: a pipe would fill up (64 KiB) and stall a command with more to say.
      Path out = Files.createTempFile(workDir, "exec", ".out");
      Process process =
          new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      process.getOutputStream().close();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("timed out in the pod: " + command);
      }
      String output = Files.readString(out, StandardCharsets.UTF_8);
      Files.delete(out);
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            "failed in the pod (" + process.exitValue() + "): " + command + "\n" + output);
      }
      return output;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** GET from inside the pod (the services listen only there); null when there is no 200 answer. */
  public String get(String url, String bearerToken) {
    List<String> command = new ArrayList<>(List.of("curl", "-sf", "--max-time", "10"));
    if (bearerToken != null) {
      command.addAll(List.of("-H", "Authorization: Bearer " + bearerToken));
    }
    command.add(url);
    try {
      return exec(command, Duration.ofSeconds(15));
    } catch (IllegalStateException e) {
      return null;
    }
  }

  public Path workDir() {
    return workDir;
  }

  public long holderPid() {
    return holder.pid();
  }

  @Override
  public void close() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).close();
    }
    holder.close();
  }

  private static void requireRoot() {
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new IllegalStateException(
          "the emulated pod needs root for unshare --mount --net (CI runs as root)");
    }
  }
}
