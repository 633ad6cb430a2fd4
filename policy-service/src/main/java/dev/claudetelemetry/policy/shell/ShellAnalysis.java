package dev.claudetelemetry.policy.shell;

import java.util.List;

/**
 * What a Bash command line does: every simple command it would run.
 *
 * @param commands all simple commands found, nested and unwrapped ones included
 * @param problem why the analysis is incomplete ({@code null} when the whole line was understood):
 *     a syntax error, a nesting depth beyond the limit, a line too long. Callers must not treat an
 *     incomplete analysis as harmless.
 * @param opaque why part of what the line runs cannot be known before it runs ({@code null} when
 *     everything is known): a shell or interpreter reading code from a source the guard cannot read
 *     ({@code curl … | sh}, {@code sh < file}), a command name held in an unknown variable, an
 *     interpreter call that deletes, writes or runs something computed at run time
 */
public record ShellAnalysis(List<ShellCommand> commands, String problem, String opaque) {

  public ShellAnalysis {
    commands = List.copyOf(commands);
  }

  public ShellAnalysis(List<ShellCommand> commands, String problem) {
    this(commands, problem, null);
  }

  public boolean complete() {
    return problem == null;
  }
}
