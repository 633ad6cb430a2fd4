package dev.claudetelemetry.policy.rules;

import java.util.Optional;

/**
 * One path a tool call touches.
 *
 * @param written the path as the call wrote it (quoted in messages)
 * @param normalized absolute and lexically normalised
 * @param access read, write or both
 * @param operand whether it is a plain operand of a command (not a redirection); rules may exempt
 *     the operands of harmless commands such as {@code echo}
 * @param facts the call it belongs to, which looks up symlinks at most once per path
 */
record PathUse(String written, String normalized, Access access, boolean operand, CallFacts facts) {

  /**
   * Where symlinks on this machine lead, if somewhere else; looked up only when a rule gets that
   * far.
   */
  Optional<String> resolved() {
    return facts.resolveSymlinks(normalized, access != Access.READ);
  }
}
