package dev.claudetelemetry.policy.rules;

/**
 * One path a tool call touches.
 *
 * @param written the path as the call wrote it (quoted in messages)
 * @param normalized absolute and lexically normalised
 * @param resolved where symlinks on this machine lead, {@code null} if nowhere else
 * @param access read, write or both
 * @param operand whether it is a plain operand of a command (not a redirection); rules may exempt the operands
 *     of harmless commands such as {@code echo}
 */
record PathUse(String written, String normalized, String resolved, Access access, boolean operand) {}
