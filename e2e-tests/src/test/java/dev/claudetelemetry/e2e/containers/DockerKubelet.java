package dev.claudetelemetry.e2e.containers;

import static dev.claudetelemetry.e2e.containers.Docker.docker;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Starts the pods of a rendered chart with Docker, doing what the kubelet does with a pod spec:
 *
 * <ul>
 *   <li>One network namespace per pod, held by a holder container ({@code --network none}, like the
 *       pause container); the pod's containers join it ({@code --network container:}). Each holder
 *       gets a veth into a private "node" namespace (another holder) with a bridge, and a pod
 *       address 10.244.0.x there: nothing is added to the host's network.
 *   <li>Service names ({@code <svc>}, {@code <svc>.<ns>.svc.cluster.local}) resolve through every
 *       pod's /etc/hosts to the address of the pod the Service selects (one replica each: there is
 *       no kube-proxy, so a Service port must equal its target port).
 *   <li>Init containers run to completion in order, then the containers start; command, args,
 *       workingDir, env (values, Secret and ConfigMap references, the pod's name and namespace).
 *   <li>Volumes: ConfigMap and Secret as files with the kubelet's {@code ..data} layout and modes
 *       (with an fsGroup, as the kubelet does: that group owns them and may read them), subPath
 *       mounts, emptyDirs (a tmpfs with Docker's defaults, noexec included, when only one container
 *       mounts it; a shared directory otherwise), claim templates and claims as directories owned
 *       by the pod's fsGroup.
 *   <li>securityContext: user and group, fsGroup as a supplementary group, read-only root, dropped
 *       and added capabilities, no new privileges; runAsNonRoot is checked.
 *   <li>Probes: startup, then readiness and liveness, exec in the container or HTTP GET from the
 *       node namespace to the pod address.
 * </ul>
 *
 * Every container it creates carries the run's name prefix and is removed on {@link #close()}.
 */
final class DockerKubelet implements AutoCloseable {
  private static final Duration DOCKER_TIMEOUT = Duration.ofSeconds(120);

  /** One started pod: its name, address, network holder and containers by name. */
  record Pod(
      String name, String address, String holder, long holderPid, Map<String, String> containers) {
    String container(String name) {
      String id = containers.get(name);
      if (id == null) {
        throw new IllegalStateException("pod " + this.name + " has no container " + name);
      }
      return id;
    }
  }

  private final ChartRender render;
  private final String prefix;
  private final String holderImage;
  private final Path workDir;
  private final List<String> created = new ArrayList<>();
  private final Map<String, String> addresses = new LinkedHashMap<>();
  private long nodePid;
  private int nextAddress = 10;

  DockerKubelet(ChartRender render, String prefix, String holderImage, Path workDir) {
    this.render = render;
    this.prefix = prefix;
    this.holderImage = holderImage;
    this.workDir = workDir;
  }

  /**
   * Gives every pod-to-be its address and creates the node namespace. {@code podNames} maps each
   * workload (Deployment or StatefulSet name) to its pod name.
   */
  void plan(Map<String, String> podNames) {
    for (String pod : podNames.values()) {
      addresses.put(pod, "10.244.0." + nextAddress++);
    }
    created.add(prefix + "node");
    String node =
        docker(
                DOCKER_TIMEOUT,
                "run",
                "-d",
                "--name",
                prefix + "node",
                "--network",
                "none",
                "--user",
                "65534:65534",
                "--read-only",
                "--entrypoint",
                "sleep",
                holderImage,
                "infinity")
            .strip();
    nodePid = pid(node);
    nodeNet(
        "ip link add ct0 type bridge && ip link set ct0 up && ip addr add 10.244.0.1/24 dev ct0");
  }

  /** The Service names of the render as /etc/hosts entries pointing at the selected pod. */
  private List<String> hostEntries(Map<String, JsonNode> podTemplates) {
    List<String> entries = new ArrayList<>();
    for (JsonNode service : render.ofKind("Service")) {
      JsonNode selector = service.path("spec").path("selector");
      if (selector.isMissingNode()
          || "None".equals(service.path("spec").path("clusterIP").asText())) {
        continue;
      }
      String name = service.path("metadata").path("name").asText();
      String target = null;
      for (Map.Entry<String, JsonNode> pod : podTemplates.entrySet()) {
        JsonNode labels = pod.getValue().path("metadata").path("labels");
        boolean all = true;
        for (var it = selector.fields(); it.hasNext(); ) {
          var e = it.next();
          all &= e.getValue().asText().equals(labels.path(e.getKey()).asText(null));
        }
        if (all) {
          target = pod.getKey();
        }
      }
      if (target == null) {
        continue;
      }
      String ns = service.path("metadata").path("namespace").asText(ChartRender.NAMESPACE);
      entries.add(name + "." + ns + ".svc.cluster.local:" + addresses.get(target));
      entries.add(name + "." + ns + ".svc:" + addresses.get(target));
      entries.add(name + ":" + addresses.get(target));
    }
    return entries;
  }

  /**
   * Creates the pods' network namespaces (holders), all at once, so every /etc/hosts lists every
   * Service. {@code podTemplates}: pod name → the workload's spec.template.
   */
  Map<String, Pod> createNetworks(Map<String, JsonNode> podTemplates) {
    List<String> hosts = hostEntries(podTemplates);
    Map<String, Pod> pods = new LinkedHashMap<>();
    int veth = 0;
    for (Map.Entry<String, JsonNode> entry : podTemplates.entrySet()) {
      String pod = entry.getKey();
      List<String> args =
          new ArrayList<>(
              List.of(
                  "run",
                  "-d",
                  "--name",
                  prefix + pod,
                  "--hostname",
                  pod,
                  "--network",
                  "none",
                  "--ipc",
                  "shareable",
                  "--user",
                  "65534:65534",
                  "--read-only",
                  "--entrypoint",
                  "sleep"));
      for (String host : hosts) {
        args.addAll(List.of("--add-host", host));
      }
      args.addAll(List.of(holderImage, "infinity"));
      created.add(prefix + pod);
      String holder = docker(DOCKER_TIMEOUT, args).strip();
      long pid = pid(holder);
      String address = addresses.get(pod);
      String link = "veth" + veth++;
      nodeNet(
          "ip link add "
              + link
              + " type veth peer name eth0 netns "
              + pid
              + " && ip link set "
              + link
              + " master ct0 up");
      Docker.check(
          List.of("nsenter"),
          Docker.run(
              List.of(
                  "nsenter",
                  "-t",
                  Long.toString(pid),
                  "-n",
                  "sh",
                  "-c",
                  "ip addr add "
                      + address
                      + "/24 dev eth0 && ip link set eth0 up && ip link set lo up"),
              Duration.ofSeconds(30)));
      pods.put(pod, new Pod(pod, address, holder, pid, new LinkedHashMap<>()));
    }
    return pods;
  }

  /** Runs the pod's init containers to completion, then starts its containers. */
  void start(
      Pod pod, JsonNode template, List<String> claimNames, Map<String, String> imageOverrides) {
    JsonNode spec = template.path("spec");
    Path volumes = volumes(pod, spec, claimNames);
    for (JsonNode init : spec.path("initContainers")) {
      String name = init.path("name").asText();
      List<String> args = containerArgs(pod, spec, init, volumes, imageOverrides);
      args.add(0, "create");
      created.add(containerName(pod, name));
      String id = docker(DOCKER_TIMEOUT, args).strip();
      String output = docker(DOCKER_TIMEOUT, "start", "-a", id);
      String exit = docker(DOCKER_TIMEOUT, "inspect", "-f", "{{.State.ExitCode}}", id).strip();
      if (!"0".equals(exit)) {
        throw new IllegalStateException(
            "init container " + name + " of " + pod.name() + " exited " + exit + ":\n" + output);
      }
      pod.containers().put(name, id);
    }
    for (JsonNode container : spec.path("containers")) {
      List<String> args = containerArgs(pod, spec, container, volumes, imageOverrides);
      // A Deployment's or StatefulSet's pod restarts a container that exits (restartPolicy Always,
      // the only one they allow): a service that gives up at start (its database not reachable in
      // time on a loaded machine) is started again, as the kubelet would.
      args.add(0, "--restart=always");
      args.add(0, "-d");
      args.add(0, "run");
      created.add(containerName(pod, container.path("name").asText()));
      String id = docker(DOCKER_TIMEOUT, args).strip();
      pod.containers().put(container.path("name").asText(), id);
    }
  }

  /** Waits for each container's startup probe, then checks readiness and liveness once. */
  void awaitProbes(Pod pod, JsonNode template) {
    for (JsonNode container : template.path("spec").path("containers")) {
      String id = pod.container(container.path("name").asText());
      JsonNode startup = container.path("startupProbe");
      if (!startup.isMissingNode()) {
        int budget =
            startup.path("periodSeconds").asInt(10) * startup.path("failureThreshold").asInt(3);
        await(
            () -> probe(pod, id, container, startup),
            Duration.ofSeconds(Math.max(budget, 30)),
            () ->
                pod.name()
                    + "/"
                    + container.path("name").asText()
                    + " never passed its startup probe:\n"
                    + logs(id));
      }
      for (String kind : List.of("readinessProbe", "livenessProbe")) {
        JsonNode probe = container.path(kind);
        if (!probe.isMissingNode()) {
          await(
              () -> probe(pod, id, container, probe),
              Duration.ofSeconds(
                  Math.max(
                      30,
                      probe.path("periodSeconds").asInt(10)
                          * probe.path("failureThreshold").asInt(3))),
              () ->
                  pod.name()
                      + "/"
                      + container.path("name").asText()
                      + " fails its "
                      + kind
                      + ":\n"
                      + logs(id));
        }
      }
    }
  }

  private boolean probe(Pod pod, String id, JsonNode container, JsonNode probe) {
    if (probe.has("exec")) {
      List<String> command = new ArrayList<>(List.of("docker", "exec", id));
      probe.path("exec").path("command").forEach(c -> command.add(c.asText()));
      return Docker.run(command, Duration.ofSeconds(30)).ok();
    }
    if (probe.has("httpGet")) {
      JsonNode get = probe.path("httpGet");
      int port = port(container, get.path("port"));
      return inNode(
              "curl",
              "-sf",
              "-o",
              "/dev/null",
              "--max-time",
              "3",
              "http://" + pod.address() + ":" + port + get.path("path").asText("/"))
          .ok();
    }
    throw new IllegalStateException("probe kind not emulated: " + probe);
  }

  static int port(JsonNode container, JsonNode port) {
    if (port.isInt()) {
      return port.asInt();
    }
    for (JsonNode p : container.path("ports")) {
      if (port.asText().equals(p.path("name").asText())) {
        return p.path("containerPort").asInt();
      }
    }
    throw new IllegalStateException("no port named " + port + " in " + container.path("name"));
  }

  /** A command in the node namespace (where the kubelet's probes come from). */
  Docker.Result inNode(String... command) {
    List<String> full = new ArrayList<>(List.of("nsenter", "-t", Long.toString(nodePid), "-n"));
    full.addAll(List.of(command));
    return Docker.run(full, Duration.ofSeconds(30));
  }

  private void nodeNet(String script) {
    Docker.check(List.of("nsenter", script), inNode("sh", "-c", script));
  }

  private String containerName(Pod pod, String container) {
    return prefix + pod.name() + "-" + container;
  }

  private List<String> containerArgs(
      Pod pod, JsonNode podSpec, JsonNode container, Path volumes, Map<String, String> overrides) {
    String name = container.path("name").asText();
    List<String> args =
        new ArrayList<>(
            List.of(
                "--name", containerName(pod, name),
                "--network", "container:" + pod.holder(),
                "--ipc", "container:" + pod.holder()));
    JsonNode podSecurity = podSpec.path("securityContext");
    JsonNode security = container.path("securityContext");
    String uid = security.path("runAsUser").asText(podSecurity.path("runAsUser").asText(null));
    String gid = security.path("runAsGroup").asText(podSecurity.path("runAsGroup").asText(null));
    boolean nonRoot =
        security.path("runAsNonRoot").asBoolean(podSecurity.path("runAsNonRoot").asBoolean(false));
    if (nonRoot && (uid == null || "0".equals(uid))) {
      throw new IllegalStateException(
          pod.name() + "/" + name + ": runAsNonRoot needs a non-zero runAsUser here");
    }
    if (uid != null) {
      args.addAll(List.of("--user", gid == null ? uid : uid + ":" + gid));
    }
    if (podSecurity.has("fsGroup")) {
      args.addAll(List.of("--group-add", podSecurity.path("fsGroup").asText()));
    }
    if (security.path("readOnlyRootFilesystem").asBoolean(false)) {
      args.add("--read-only");
    }
    if (!security.path("allowPrivilegeEscalation").asBoolean(true)) {
      args.addAll(List.of("--security-opt", "no-new-privileges"));
    }
    security
        .path("capabilities")
        .path("drop")
        .forEach(c -> args.addAll(List.of("--cap-drop", c.asText())));
    security
        .path("capabilities")
        .path("add")
        .forEach(c -> args.addAll(List.of("--cap-add", c.asText())));
    String memory = container.path("resources").path("limits").path("memory").asText(null);
    if (memory != null) {
      args.addAll(List.of("--memory", memory.replace("Mi", "m").replace("Gi", "g")));
    }
    if (container.has("workingDir")) {
      args.addAll(List.of("--workdir", container.path("workingDir").asText()));
    }
    for (JsonNode env : container.path("env")) {
      args.addAll(List.of("--env", env.path("name").asText() + "=" + envValue(pod, env)));
    }
    args.addAll(mounts(pod, podSpec, container, volumes));
    JsonNode command = container.path("command");
    if (!command.isMissingNode() && command.size() > 0) {
      args.addAll(List.of("--entrypoint", command.get(0).asText()));
    }
    String image = container.path("image").asText();
    args.add(overrides.getOrDefault(image, image));
    for (int i = 1; i < command.size(); i++) {
      args.add(command.get(i).asText());
    }
    container.path("args").forEach(a -> args.add(a.asText()));
    return args;
  }

  private String envValue(Pod pod, JsonNode env) {
    if (env.has("value")) {
      return env.path("value").asText();
    }
    JsonNode from = env.path("valueFrom");
    if (from.has("secretKeyRef")) {
      JsonNode ref = from.path("secretKeyRef");
      return render.secretValue(ref.path("name").asText(), ref.path("key").asText());
    }
    if (from.has("configMapKeyRef")) {
      JsonNode ref = from.path("configMapKeyRef");
      return new String(render.configMap(ref.path("name").asText()).get(ref.path("key").asText()));
    }
    if (from.has("fieldRef")) {
      return switch (from.path("fieldRef").path("fieldPath").asText()) {
        case "metadata.name" -> pod.name();
        case "metadata.namespace" -> ChartRender.NAMESPACE;
        case "status.podIP" -> pod.address();
        default -> throw new IllegalStateException("fieldRef not emulated: " + from);
      };
    }
    throw new IllegalStateException("env source not emulated: " + env);
  }

  /**
   * Writes the pod's ConfigMap, Secret and claim volumes to directories; emptyDirs are made per
   * mount.
   */
  private Path volumes(Pod pod, JsonNode spec, List<String> claimNames) {
    Path root = workDir.resolve("pods").resolve(pod.name());
    try {
      Files.createDirectories(root);
      String fsGroup = spec.path("securityContext").path("fsGroup").asText(null);
      for (JsonNode volume : spec.path("volumes")) {
        Path dir = root.resolve(volume.path("name").asText());
        if (volume.has("configMap")) {
          JsonNode cm = volume.path("configMap");
          atomicWriterLayout(
              dir,
              render.configMap(cm.path("name").asText()),
              cm.path("defaultMode").asInt(0644),
              fsGroup);
        } else if (volume.has("secret")) {
          JsonNode secret = volume.path("secret");
          atomicWriterLayout(
              dir,
              render.secret(secret.path("secretName").asText()),
              secret.path("defaultMode").asInt(0644),
              fsGroup);
        } else if (volume.has("emptyDir")) {
          Files.createDirectories(dir);
          Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        } else if (volume.has("persistentVolumeClaim")) {
          // A standalone claim (the collector's queue): a directory of the pod, as a claim
          // template's.
          claimDirectory(dir, fsGroup);
        } else {
          throw new IllegalStateException("volume kind not emulated: " + volume);
        }
      }
      for (String claim : claimNames) {
        claimDirectory(root.resolve(claim), fsGroup);
      }
      return root;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A claim's volume: a directory owned by the pod's fsGroup, new files inheriting the group. */
  private void claimDirectory(Path dir, String fsGroup) throws IOException {
    Files.createDirectories(dir);
    chown(dir, "0", fsGroup == null ? "0" : fsGroup);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxr-x"));
    Docker.check(
        List.of("chmod"),
        Docker.run(List.of("chmod", "g+s", dir.toString()), Duration.ofSeconds(10)));
  }

  /**
   * The kubelet's layout: files in a timestamped directory, ..data pointing at it, each key a link.
   */
  private static void atomicWriterLayout(
      Path dir, Map<String, byte[]> entries, int mode, String fsGroup) throws IOException {
    Path data = dir.resolve("..2026_01_01_00_00_00.000000001");
    Files.createDirectories(data);
    for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
      Path file = data.resolve(entry.getKey());
      Files.write(file, entry.getValue());
      // The kubelet's volume ownership for a read-only volume: the fsGroup's, readable by it
      // whatever defaultMode says (why the hook client cannot come from a ConfigMap).
      int effectiveMode = fsGroup == null ? mode : mode | 0440;
      Files.setPosixFilePermissions(
          file, PosixFilePermissions.fromString(permissions(effectiveMode)));
      if (fsGroup != null) {
        chown(file, "0", fsGroup);
      }
      Files.createSymbolicLink(dir.resolve(entry.getKey()), Path.of("..data", entry.getKey()));
    }
    Files.createSymbolicLink(dir.resolve("..data"), data.getFileName());
  }

  private static String permissions(int mode) {
    StringBuilder s = new StringBuilder();
    String rwx = "rwx";
    for (int bit = 8; bit >= 0; bit--) {
      s.append((mode & (1 << bit)) != 0 ? rwx.charAt(2 - bit % 3) : '-');
    }
    return s.toString();
  }

  private static void chown(Path path, String uid, String gid) {
    Docker.check(
        List.of("chown"),
        Docker.run(
            List.of("chown", "-h", uid + ":" + gid, path.toString()), Duration.ofSeconds(10)));
  }

  private List<String> mounts(Pod pod, JsonNode podSpec, JsonNode container, Path volumes) {
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    podSpec.path("volumes").forEach(v -> byName.put(v.path("name").asText(), v));
    List<String> args = new ArrayList<>();
    for (JsonNode mount : container.path("volumeMounts")) {
      String name = mount.path("name").asText();
      String target = mount.path("mountPath").asText();
      boolean readOnly = mount.path("readOnly").asBoolean(false);
      JsonNode volume = byName.get(name);
      if (volume != null && volume.has("emptyDir") && mountCount(podSpec, name) == 1) {
        // Docker's tmpfs defaults (noexec, nosuid, nodev): stricter than the kubelet's emptyDir, so
        // an image that needs to execute from it fails here.
        String size =
            volume
                .path("emptyDir")
                .path("sizeLimit")
                .asText("64Mi")
                .replace("Mi", "m")
                .replace("Gi", "g");
        args.addAll(
            List.of(
                "--mount",
                "type=tmpfs,destination="
                    + target
                    + ",tmpfs-size="
                    + sizeBytes(size)
                    + ",tmpfs-mode=1777"));
        continue;
      }
      Path source = volumes.resolve(name);
      if (mount.has("subPath")) {
        source = source.resolve(mount.path("subPath").asText());
        try {
          source = source.toRealPath();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      args.addAll(
          List.of(
              "--mount",
              "type=bind,source="
                  + source
                  + ",destination="
                  + target
                  + (readOnly ? ",readonly" : "")));
    }
    return args;
  }

  private static long sizeBytes(String size) {
    long unit = size.endsWith("g") ? 1L << 30 : size.endsWith("m") ? 1L << 20 : 1;
    return Long.parseLong(size.replaceAll("[^0-9]", "")) * unit;
  }

  private static int mountCount(JsonNode podSpec, String volume) {
    int n = 0;
    for (String list : List.of("initContainers", "containers")) {
      for (JsonNode c : podSpec.path(list)) {
        for (JsonNode m : c.path("volumeMounts")) {
          if (volume.equals(m.path("name").asText())) {
            n++;
          }
        }
      }
    }
    return n;
  }

  String logs(String container) {
    return Docker.run(List.of("docker", "logs", "--tail", "40", container), Duration.ofSeconds(30))
        .output();
  }

  static long pid(String container) {
    return Long.parseLong(
        docker(DOCKER_TIMEOUT, "inspect", "-f", "{{.State.Pid}}", container).strip());
  }

  static void await(BooleanSupplier condition, Duration timeout, Supplier<String> failure) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(failure.get());
      }
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  @Override
  public void close() {
    for (int i = created.size() - 1; i >= 0; i--) {
      Docker.run(List.of("docker", "rm", "-f", "-v", created.get(i)), DOCKER_TIMEOUT);
    }
  }
}
