package dev.claudetelemetry.transcript.viewer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudetelemetry.transcript.sessions.SessionQueries.DecidedEvent;
import dev.claudetelemetry.transcript.sessions.SessionQueries.StoredTranscriptLine;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads stored transcript lines into {@link Conversation}s: messages, tool calls matched to their
 * results by {@code tool_use_id}, denials from hook events, and each subagent's file nested under
 * the Agent/Task call that started it ({@code toolUseResult.agentId}).
 */
@Singleton
public class ConversationBuilder {
  private static final int MAX_TEXT = 20_000;

  private final ObjectMapper mapper;

  public ConversationBuilder(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  public record Built(Conversation main, List<Conversation> unlinkedSubagents) {}

  public Built build(List<StoredTranscriptLine> lines, List<DecidedEvent> events) {
    Map<String, DecidedEvent> denials = new HashMap<>();
    Map<String, DecidedEvent> dryRuns = new HashMap<>();
    for (DecidedEvent event : events) {
      if (event.toolUseId() != null
          && ("deny".equals(event.verdict()) || "fail-closed".equals(event.source()))) {
        denials.put(event.toolUseId(), event);
      }
      if (event.toolUseId() != null && !event.dryrun().isEmpty()) {
        dryRuns.putIfAbsent(event.toolUseId(), event);
      }
    }
    Map<String, List<StoredTranscriptLine>> byFile = new LinkedHashMap<>();
    for (StoredTranscriptLine line : lines) {
      byFile.computeIfAbsent(line.fileId(), f -> new ArrayList<>()).add(line);
    }
    Map<String, Conversation> conversations = new LinkedHashMap<>();
    byFile.forEach(
        (fileId, fileLines) ->
            conversations.put(fileId, conversation(fileId, fileLines, denials, dryRuns)));
    Conversation main = conversations.getOrDefault("main", Conversation.empty("main"));
    List<Conversation> unlinked = new ArrayList<>();
    conversations.forEach(
        (fileId, conversation) -> {
          if (!fileId.equals("main") && !attach(conversation, conversations)) {
            unlinked.add(conversation);
          }
        });
    return new Built(main, unlinked);
  }

  /**
   * Nests {@code sub} under the tool call of any conversation that launched it; false if none did.
   */
  private static boolean attach(Conversation sub, Map<String, Conversation> all) {
    for (Conversation candidate : all.values()) {
      for (Conversation.Entry entry : candidate.entries()) {
        if (entry.tool != null
            && sub.fileId().equals(entry.tool.subagentFileId)
            && candidate != sub) {
          entry.tool.subagent = sub;
          return true;
        }
      }
    }
    return false;
  }

  private Conversation conversation(
      String fileId,
      List<StoredTranscriptLine> lines,
      Map<String, DecidedEvent> denials,
      Map<String, DecidedEvent> dryRuns) {
    List<Conversation.Entry> entries = new ArrayList<>();
    Map<String, Conversation.ToolCall> calls = new HashMap<>();
    int bookkeeping = 0;
    for (StoredTranscriptLine line : lines) {
      if (line.notJson()) {
        entries.add(new Conversation.Entry("unparsed", line.occurredAt(), cap(line.text()), null));
        continue;
      }
      JsonNode node = parse(line.text());
      String type = node.path("type").asText("");
      JsonNode content = node.path("message").path("content");
      switch (type) {
        case "user" -> {
          if (content.isTextual()) {
            entries.add(
                new Conversation.Entry("user", line.occurredAt(), cap(content.textValue()), null));
          } else {
            for (JsonNode block : content) {
              if ("tool_result".equals(block.path("type").asText())) {
                Conversation.ToolCall call = calls.get(block.path("tool_use_id").asText());
                if (call != null) {
                  call.result = cap(resultText(block.path("content")));
                  call.error = block.path("is_error").asBoolean(false);
                  String agentId = node.path("toolUseResult").path("agentId").asText(null);
                  if (agentId != null) {
                    call.subagentFileId = "agent-" + agentId;
                  }
                }
              } else if ("text".equals(block.path("type").asText())) {
                entries.add(
                    new Conversation.Entry(
                        "user", line.occurredAt(), cap(block.path("text").asText()), null));
              }
            }
          }
        }
        case "assistant" -> {
          for (JsonNode block : content) {
            switch (block.path("type").asText()) {
              case "text" ->
                  entries.add(
                      new Conversation.Entry(
                          "assistant", line.occurredAt(), cap(block.path("text").asText()), null));
              case "thinking" ->
                  entries.add(
                      new Conversation.Entry(
                          "thinking",
                          line.occurredAt(),
                          cap(block.path("thinking").asText()),
                          null));
              case "tool_use" -> {
                Conversation.ToolCall call =
                    new Conversation.ToolCall(
                        block.path("id").asText(),
                        block.path("name").asText(),
                        cap(pretty(block.path("input"))));
                DecidedEvent denial = denials.get(call.id);
                if (denial != null) {
                  call.denialRule = denial.ruleId() == null ? denial.source() : denial.ruleId();
                  call.denialReason = denial.reason();
                }
                DecidedEvent dryRun = dryRuns.get(call.id);
                if (dryRun != null) {
                  call.dryRun = dryRun.dryrun();
                }
                calls.put(call.id, call);
                entries.add(new Conversation.Entry("tool", line.occurredAt(), null, call));
              }
              default -> {}
            }
          }
        }
        case "system" -> {
          String text = node.path("content").asText(node.path("subtype").asText(""));
          entries.add(new Conversation.Entry("system", line.occurredAt(), cap(text), null));
        }
        default -> bookkeeping++;
      }
    }
    return new Conversation(fileId, entries, bookkeeping);
  }

  private JsonNode parse(String json) {
    try {
      return mapper.readTree(json);
    } catch (JsonProcessingException e) {
      return mapper.createObjectNode();
    }
  }

  private String pretty(JsonNode node) {
    try {
      return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (JsonProcessingException e) {
      return node.toString();
    }
  }

  private static String resultText(JsonNode content) {
    if (content.isTextual()) {
      return content.textValue();
    }
    StringBuilder out = new StringBuilder();
    for (JsonNode block : content) {
      if (block.has("text")) {
        out.append(block.path("text").asText()).append('\n');
      }
    }
    return out.toString().strip();
  }

  private static String cap(String text) {
    if (text == null) {
      return "";
    }
    return text.length() > MAX_TEXT
        ? text.substring(0, MAX_TEXT)
            + "\n… ("
            + (text.length() - MAX_TEXT)
            + " more characters in the JSONL export)"
        : text;
  }
}
