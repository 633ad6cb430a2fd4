package dev.claudetelemetry.e2e.scripts;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudetelemetry.testsupport.RepoPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the pod's hook programs (k8s/claude-code/bin/*, built by hook-client) the way Claude
 * Code does: input on stdin, and managed settings at /etc/claude-code. The programs read their
 * configuration only from there (a path compiled in, never a variable), so each run gets a private
 * mount namespace (unshare, as root) in which /etc is an overlay and /etc/claude-code a bind mount
 * of this run's settings; the host's /etc is untouched.
 */
final class PodScript {
  private static final ObjectMapper JSON = new ObjectMapper();

  record Outcome(int exitCode, String stdout, String stderr) {}

  /**
   * What a run sees: the managed settings' env, optional drop-ins (file name → content) and the
   * process environment, which the agent controls through its own settings.
   */
  static final class Setup {
    final Map<String, String> managedEnv = new LinkedHashMap<>();
    final Map<String, String> dropIns = new TreeMap<>();
    final Map<String, String> processEnv = new LinkedHashMap<>();

    Setup managed(String key, String value) {
      managedEnv.put(key, value);
      return this;
    }

    Setup withoutManaged(String key) {
      managedEnv.remove(key);
      return this;
    }

    Setup dropIn(String fileName, String content) {
      dropIns.put(fileName, content);
      return this;
    }

    Setup process(String key, String value) {
      processEnv.put(key, value);
      return this;
    }
  }

  private PodScript() {}

  static Path path(String name) {
    return RepoPaths.root().resolve("k8s/claude-code/bin").resolve(name);
  }

  /**
   * The command line that runs {@code command} with {@code setup}'s settings at /etc/claude-code
   * and exactly {@code setup}'s process environment.
   */
  static List<String> commandWith(Setup setup, List<String> command) {
    try {
      // Under the module's target/, not /tmp: the overlay's work directory stays root-owned.
      Path base = Files.createDirectories(RepoPaths.root().resolve("e2e-tests/target/pod-script"));
      Path dir = Files.createTempDirectory(base, "run");
      Path settings = Files.createDirectories(dir.resolve("claude-code"));
      Files.writeString(
          settings.resolve("managed-settings.json"),
          JSON.writeValueAsString(Map.of("env", setup.managedEnv)));
      Path dropIns = Files.createDirectories(settings.resolve("managed-settings.d"));
      for (Map.Entry<String, String> dropIn : setup.dropIns.entrySet()) {
        Files.writeString(dropIns.resolve(dropIn.getKey()), dropIn.getValue());
      }
      Files.createDirectories(dir.resolve("upper"));
      Files.createDirectories(dir.resolve("work"));
      String mounts =
          "set -e; mount -t overlay overlay -o lowerdir=/etc,upperdir=\"$1/upper\",workdir=\"$1/work\" /etc;"
              + " mkdir -p /etc/claude-code; mount --bind \"$1/claude-code\" /etc/claude-code;"
              + " shift; exec \"$@\"";
      List<String> full =
          new ArrayList<>(
              List.of(
                  "unshare",
                  "--mount",
                  "--propagation",
                  "private",
                  "sh",
                  "-c",
                  mounts,
                  "sh",
                  dir.toString(),
                  "env",
                  "-i"));
      setup.processEnv.forEach((k, v) -> full.add(k + "=" + v));
      full.addAll(command);
      return full;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Outcome run(String name, String stdin, Setup setup) {
    return run(List.of(path(name).toString()), stdin, setup);
  }

  /**
   * Runs {@code command} (which starts one of the programs) as {@link #run(String, String, Setup)}.
   */
  static Outcome run(List<String> command, String stdin, Setup setup) {
    String name = command.get(command.size() - 1);
    try {
      ProcessBuilder builder = new ProcessBuilder(commandWith(setup, command));
      builder.environment().clear();
      builder.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
      Process process = builder.start();
      try (var in = process.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      } catch (IOException earlyExit) {
        // The program may decide (deny) before reading its input; Claude Code copes with that too.
      }
      var out = process.getInputStream();
      var err = process.getErrorStream();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(name + " did not finish within 60 s");
      }
      return new Outcome(
          process.exitValue(),
          new String(out.readAllBytes(), StandardCharsets.UTF_8),
          new String(err.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String fixture(String hookFile) {
    try {
      return Files.readString(RepoPaths.claudeCodeFixtures().resolve("hooks").resolve(hookFile));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
