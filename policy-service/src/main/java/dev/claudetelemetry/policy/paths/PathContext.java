package dev.claudetelemetry.policy.paths;

/**
 * Where relative paths, {@code ~} and {@code $HOME} point for one tool call.
 *
 * @param cwd the directory of the call (absolute, normalised)
 * @param home the agent's home directory (absolute, normalised)
 * @param workspace the workspace root (absolute, normalised)
 */
public record PathContext(String cwd, String home, String workspace) {}
