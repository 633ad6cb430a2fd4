package dev.claudetelemetry.policy.interpreters;

import java.util.List;

/**
 * One thing inline interpreter code does that the policy judges like a shell command.
 *
 * @param kind what it does
 * @param path the path it deletes, writes or reads (literal, as written; {@code ~} is the home)
 * @param shell a command line it hands to a shell ({@code os.system}, {@code execSync})
 * @param argv a command it runs directly ({@code subprocess.run([...])})
 * @param reason for {@link Kind#OPAQUE}: which call got an argument computed at run time
 */
public record Effect(Kind kind, String path, String shell, List<String> argv, String reason) {

  public enum Kind {
    /** Deletes a file: judged as {@code rm -f PATH}. */
    DELETE,
    /** Deletes a tree: judged as {@code rm -rf PATH}. */
    DELETE_TREE,
    /** Removes an empty directory: judged as {@code rmdir PATH}. */
    REMOVE_DIRECTORY,
    /** Writes a file: judged as a {@code > PATH} redirection. */
    WRITE,
    /** Reads a file: judged as {@code cat PATH}. */
    READ,
    /** Runs a shell command line: parsed as Bash. */
    SHELL,
    /** Runs a command with this argv. */
    EXEC,
    /** Deletes, writes, reads or runs something computed at run time. */
    OPAQUE
  }

  public Effect {
    argv = argv == null ? List.of() : List.copyOf(argv);
  }

  static Effect onPath(Kind kind, String path) {
    return new Effect(kind, path, null, null, null);
  }

  static Effect shell(String commandLine) {
    return new Effect(Kind.SHELL, null, commandLine, null, null);
  }

  static Effect exec(List<String> argv) {
    return new Effect(Kind.EXEC, null, null, argv, null);
  }

  static Effect opaque(String reason) {
    return new Effect(Kind.OPAQUE, null, null, null, reason);
  }
}
