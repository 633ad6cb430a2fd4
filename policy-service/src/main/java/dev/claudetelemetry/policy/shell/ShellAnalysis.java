package dev.claudetelemetry.policy.shell;

import java.util.List;

/**
 * What a Bash command line does: every simple command it would run.
 *
 * @param commands all simple commands found, nested and unwrapped ones included
 * @param problem why the analysis is incomplete ({@code null} when the whole line was understood):
 *     a syntax error, a nesting depth beyond the limit, a line too long. Callers must not treat an
 *     incomplete analysis as harmless.
 */
public record ShellAnalysis(List<ShellCommand> commands, String problem) {

  public ShellAnalysis {
    commands = List.copyOf(commands);
  }

  public boolean complete() {
    return problem == null;
  }
}
