package dev.claudetelemetry.ingest.metrics;

import java.util.Set;

/**
 * Turns what Claude Code sends into label values from fixed sets, so a client (or an agent writing
 * its own hook input) cannot create new series. Anything unrecognised becomes {@code other}.
 */
public final class Labels {

  public static final String OTHER = "other";

  /** The {@code tool} label of events that are not about a tool. */
  public static final String NO_TOOL = "none";

  /** Hook events Claude Code 2.1.330 fired or knows (testdata/claude-code/README.md). */
  static final Set<String> EVENTS =
      Set.of(
          "SessionStart",
          "Setup",
          "InstructionsLoaded",
          "UserPromptSubmit",
          "UserPromptExpansion",
          "PreToolUse",
          "PermissionRequest",
          "PermissionDenied",
          "PostToolUse",
          "PostToolUseFailure",
          "PostToolBatch",
          "MessageDisplay",
          "Notification",
          "SubagentStart",
          "SubagentStop",
          "Stop",
          "StopFailure",
          "CwdChanged",
          "ConfigChange",
          "PreCompact",
          "PostCompact",
          "SessionEnd",
          "TaskCreated",
          "TaskCompleted",
          "TeammateIdle",
          "WorktreeCreate",
          "WorktreeRemove",
          "Elicitation",
          "ElicitationResult",
          "FileChanged",
          "DirectoryAdded");

  /** Claude Code's built-in tools; MCP tools ({@code mcp__server__tool}) are all {@code mcp}. */
  static final Set<String> TOOLS =
      Set.of(
          "Agent",
          "Task",
          "Bash",
          "BashOutput",
          "KillShell",
          "Edit",
          "MultiEdit",
          "NotebookEdit",
          "Read",
          "Write",
          "WebFetch",
          "WebSearch",
          "Glob",
          "Grep",
          "LS",
          "TodoWrite",
          "ExitPlanMode",
          "Skill",
          "SlashCommand",
          "AskUserQuestion",
          "ListMcpResourcesTool",
          "ReadMcpResourceTool");

  static final Set<String> SESSION_START_SOURCES = Set.of("startup", "resume", "clear", "compact");

  static final Set<String> SESSION_END_REASONS =
      Set.of(
          "clear", "logout", "prompt_input_exit", "other", "bypass_permissions_disabled", "resume");

  private Labels() {}

  public static String event(String hookEventName) {
    return EVENTS.contains(hookEventName) ? hookEventName : OTHER;
  }

  public static String tool(String toolName) {
    if (toolName == null) {
      return NO_TOOL;
    }
    if (toolName.startsWith("mcp__")) {
      return "mcp";
    }
    return TOOLS.contains(toolName) ? toolName : OTHER;
  }

  public static String sessionStartSource(String source) {
    return source != null && SESSION_START_SOURCES.contains(source) ? source : OTHER;
  }

  public static String sessionEndReason(String reason) {
    return reason != null && SESSION_END_REASONS.contains(reason) ? reason : OTHER;
  }
}
