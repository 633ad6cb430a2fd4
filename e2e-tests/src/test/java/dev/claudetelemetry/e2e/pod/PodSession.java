package dev.claudetelemetry.e2e.pod;

import dev.claudetelemetry.e2e.claude.ClaudeCli;
import dev.claudetelemetry.e2e.claude.ClaudeResult;
import dev.claudetelemetry.e2e.fakeapi.FakeMessagesApi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One {@code claude -p} session inside the emulated pod, as a user would run it after {@code
 * kubectl exec}: its own HOME and workspace (under the pod's work directory), the Messages API
 * reached at the pod's 127.0.0.1 through the relay.
 */
public final class PodSession {
  private final EmulatedPod pod;
  private final String apiBaseUrl;
  private final String scenario;
  private final Path root;

  PodSession(EmulatedPod pod, String apiBaseUrl, String scenario) {
    this(pod, apiBaseUrl, scenario, pod.workDir().resolve("sessions").resolve(scenario));
  }

  private PodSession(EmulatedPod pod, String apiBaseUrl, String scenario, Path root) {
    this.pod = pod;
    this.apiBaseUrl = apiBaseUrl;
    this.scenario = scenario;
    this.root = root;
    try {
      Files.createDirectories(workspace());
      Files.createDirectories(home());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A later session of the same user in the same HOME and workspace, following {@code
   * nextScenario}.
   */
  public PodSession next(String nextScenario) {
    return new PodSession(pod, apiBaseUrl, nextScenario, root);
  }

  public Path home() {
    return root.resolve("home");
  }

  public Path workspace() {
    return root.resolve("workspace");
  }

  /**
   * A directory next to the workspace, i.e. outside it: what a destructive delete must not reach.
   */
  public Path outside() {
    return root.resolve("outside");
  }

  public String scenario() {
    return scenario;
  }

  /**
   * Runs {@code claude -p "[scenario:<scenario>] <prompt>"} in the workspace with only {@code env}
   * added.
   */
  public ClaudeResult run(String prompt, Map<String, String> env) {
    return run(prompt, env, ClaudeCli.DEFAULT_ALLOWED_TOOLS, null);
  }

  /**
   * As {@link #run(String, Map)}, with {@code --allowedTools} (none: the option is left out) and
   * {@code --permission-mode} ({@code null}: Claude Code's default) of the caller's choosing.
   */
  public ClaudeResult run(
      String prompt, Map<String, String> env, List<String> allowedTools, String permissionMode) {
    return ClaudeCli.run(
        ClaudeCli.Run.of(
                home(), workspace(), apiBaseUrl, FakeMessagesApi.tag(scenario) + " " + prompt)
            .withPrefix(pod.inside(workspace()))
            .withEnv(env)
            .withTimeout(Duration.ofSeconds(150))
            .withAllowedTools(allowedTools, permissionMode));
  }

  public ClaudeResult run(String prompt) {
    return run(prompt, Map.of());
  }

  /** The transcript Claude Code wrote for {@code sessionId}. */
  public Path transcript(String sessionId) {
    String project = workspace().toString().replaceAll("[^A-Za-z0-9]", "-");
    return home().resolve(".claude/projects").resolve(project).resolve(sessionId + ".jsonl");
  }
}
