package dev.claudetelemetry.e2e.claude;

import dev.claudetelemetry.testsupport.RepoPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real Claude Code CLI headless, the way testdata/claude-code/README.md describes: {@code
 * claude -p <prompt> --output-format json --allowedTools Bash Read Write Edit}, a throwaway HOME,
 * no nonessential traffic, the Messages API at {@code apiBaseUrl}. The environment is built from
 * scratch (nothing of this JVM's leaks in); {@code commandPrefix} runs it elsewhere, e.g. {@code
 * nsenter -t PID -m -n} inside an emulated pod.
 */
public final class ClaudeCli {
  private ClaudeCli() {}

  /** The version the repository pins in e2e-tests/claude-code.version (what ./test installs). */
  public static String pinnedVersion() {
    try {
      return Files.readString(RepoPaths.root().resolve("e2e-tests/claude-code.version")).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code claude --version}'s first word, e.g. "2.1.330". */
  public static String installedVersion() {
    ClaudeResult result =
        exec(
            List.of("claude", "--version"),
            Map.of("PATH", System.getenv("PATH")),
            Path.of("/tmp"),
            Duration.ofSeconds(30));
    return result.stdout().strip().split("\\s+")[0];
  }

  /** The tools a run pre-approves unless told otherwise ({@code --allowedTools}). */
  public static final List<String> DEFAULT_ALLOWED_TOOLS = List.of("Bash", "Read", "Write", "Edit");

  /**
   * @param allowedTools passed as {@code --allowedTools}; empty: the option is left out, so every
   *     tool call meets Claude Code's own permission gate
   * @param permissionMode passed as {@code --permission-mode}, or {@code null} for the default
   */
  public record Run(
      List<String> commandPrefix,
      Path home,
      Path cwd,
      String apiBaseUrl,
      String prompt,
      Map<String, String> extraEnv,
      Duration timeout,
      List<String> allowedTools,
      String permissionMode) {

    public static Run of(Path home, Path cwd, String apiBaseUrl, String prompt) {
      return new Run(
          List.of(),
          home,
          cwd,
          apiBaseUrl,
          prompt,
          Map.of(),
          Duration.ofSeconds(120),
          DEFAULT_ALLOWED_TOOLS,
          null);
    }

    public Run withPrefix(List<String> prefix) {
      return new Run(
          prefix, home, cwd, apiBaseUrl, prompt, extraEnv, timeout, allowedTools, permissionMode);
    }

    public Run withEnv(Map<String, String> env) {
      return new Run(
          commandPrefix, home, cwd, apiBaseUrl, prompt, env, timeout, allowedTools, permissionMode);
    }

    public Run withTimeout(Duration limit) {
      return new Run(
          commandPrefix,
          home,
          cwd,
          apiBaseUrl,
          prompt,
          extraEnv,
          limit,
          allowedTools,
          permissionMode);
    }

    public Run withAllowedTools(List<String> tools, String mode) {
      return new Run(commandPrefix, home, cwd, apiBaseUrl, prompt, extraEnv, timeout, tools, mode);
    }
  }

  public static ClaudeResult run(Run run) {
    try {
      Files.createDirectories(run.home());
      Files.createDirectories(run.cwd());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
    env.put("HOME", run.home().toString());
    env.put("LANG", "C.UTF-8");
    env.put("ANTHROPIC_BASE_URL", run.apiBaseUrl());
    env.put("ANTHROPIC_API_KEY", "sk-ant-e2e-fake-key-not-secret");
    env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
    env.putAll(run.extraEnv());
    List<String> command = new ArrayList<>(run.commandPrefix());
    command.addAll(List.of("claude", "-p", run.prompt(), "--output-format", "json"));
    if (run.permissionMode() != null) {
      command.addAll(List.of("--permission-mode", run.permissionMode()));
    }
    if (!run.allowedTools().isEmpty()) {
      command.add("--allowedTools");
      command.addAll(run.allowedTools());
    }
    return exec(command, env, run.cwd(), run.timeout());
  }

  private static ClaudeResult exec(
      List<String> command, Map<String, String> env, Path cwd, Duration timeout) {
    Instant started = Instant.now();
    try {
      Path out = Files.createTempFile("claude-out", ".txt");
      Path err = Files.createTempFile("claude-err", ".txt");
      try {
        ProcessBuilder builder =
            new ProcessBuilder(command)
                .directory(cwd.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly();
          process.waitFor(5, TimeUnit.SECONDS);
          throw new AssertionError(
              "claude did not finish within "
                  + timeout
                  + ": "
                  + command
                  + "\nstdout:\n"
                  + Files.readString(out)
                  + "\nstderr:\n"
                  + Files.readString(err));
        }
        return new ClaudeResult(
            process.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8),
            Duration.between(started, Instant.now()));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
