package dev.claudetelemetry.transcript.viewer;

import dev.claudetelemetry.transcript.sessions.SessionQueries;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One transcript file shaped for reading: messages and tool calls in order, subagents nested under
 * theirs.
 */
public record Conversation(String fileId, List<Entry> entries, int bookkeepingLines) {

  /** One thing to show: exactly one of the kinds below. */
  public static final class Entry {
    public final String kind; // user, assistant, thinking, tool, system, unparsed
    public final Instant at;
    public final String text;
    public final ToolCall tool;

    Entry(String kind, Instant at, String text, ToolCall tool) {
      this.kind = kind;
      this.at = at;
      this.text = text;
      this.tool = tool;
    }
  }

  /** A tool call with its input, its result and, when the guard stopped it, the denial. */
  public static final class ToolCall {
    public final String id;
    public final String name;
    public final String input;
    public String result;
    public boolean error;
    public String denialRule;
    public String denialReason;

    /** What policy rules in dry run would have answered on this call; they changed nothing. */
    public List<SessionQueries.DryRunMatch> dryRun = List.of();

    public String subagentFileId;
    public Conversation subagent;

    ToolCall(String id, String name, String input) {
      this.id = id;
      this.name = name;
      this.input = input;
    }

    public boolean denied() {
      return denialReason != null || denialRule != null;
    }
  }

  static Conversation empty(String fileId) {
    return new Conversation(fileId, new ArrayList<>(), 0);
  }
}
