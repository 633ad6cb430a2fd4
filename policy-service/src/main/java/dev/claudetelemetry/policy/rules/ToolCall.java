package dev.claudetelemetry.policy.rules;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One tool call to judge, taken from a PreToolUse or PermissionRequest hook input.
 *
 * @param event the hook event name
 * @param tool the tool name ({@code Bash}, {@code Read}, ...)
 * @param input the tool input object as Claude Code sent it
 * @param cwd the session's working directory
 * @param transcriptPath where Claude Code writes the transcript; it tells the agent's home
 *     directory
 * @param permissionMode Claude Code's permission mode, may be empty
 */
public record ToolCall(
    String event,
    String tool,
    JsonNode input,
    String cwd,
    String transcriptPath,
    String permissionMode) {

  /** The Bash command, or empty for other tools. */
  public String command() {
    JsonNode command = input.get("command");
    return command != null && command.isTextual() ? command.asText() : "";
  }
}
