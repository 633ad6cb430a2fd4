package dev.claudetelemetry.transcript.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudetelemetry.transcript.config.TranscriptConfig;
import dev.claudetelemetry.transcript.problem.ApiProblem;
import dev.claudetelemetry.transcript.redaction.Redactor;
import dev.claudetelemetry.transcript.redaction.StorableText;
import dev.claudetelemetry.transcript.search.SearchText;
import dev.claudetelemetry.transcript.upload.Identifiers;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates a {@code POST /v1/events} body item by item. Any invalid item refuses the whole batch
 * (422 with every item's index and reason), so a batch is stored completely or not at all.
 */
@Singleton
public class EventBatchParser {
  // "none": no rule decided (Claude Code's own permission system applied), or the guard failed
  // open.
  private static final Set<String> VERDICTS = Set.of("none", "allow", "deny", "ask");
  private static final Set<String> SOURCES = Set.of("policy", "fail-closed", "fail-open");
  // What a rule in dry run can have decided; its id is a policy rule id.
  private static final Set<String> DRY_RUN_VERDICTS = Set.of("ask", "deny");
  private static final Pattern RULE_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final int MAX_DRY_RUN_MATCHES = 16;

  private final Redactor redactor;
  private final int maxEvents;
  private final int maxSearchChars;

  public EventBatchParser(Redactor redactor, TranscriptConfig config) {
    this.redactor = redactor;
    this.maxEvents = config.limits().maxEventsPerBatch();
    this.maxSearchChars = config.limits().maxSearchTextChars();
  }

  public record Parsed(List<HookEventRecord> events, Map<String, Integer> redactions) {}

  public Parsed parse(JsonNode body) {
    if (body == null || !body.isObject() || !body.path("events").isArray()) {
      throw new ApiProblem(
          422,
          "invalid-batch",
          "Invalid event batch",
          "the body must be a JSON object with an 'events' array",
          Map.of());
    }
    JsonNode items = body.get("events");
    if (items.size() > maxEvents) {
      throw new ApiProblem(
          413,
          "batch-too-large",
          "Event batch too large",
          "a batch may hold at most " + maxEvents + " events; this one has " + items.size(),
          Map.of());
    }
    List<Map<String, Object>> errors = new ArrayList<>();
    List<HookEventRecord> events = new ArrayList<>();
    Map<String, Integer> redactions = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      try {
        events.add(item(items.get(i), redactions));
      } catch (InvalidItem e) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("index", i);
        error.put("reason", e.getMessage());
        errors.add(error);
      }
    }
    if (!errors.isEmpty()) {
      throw new ApiProblem(
          422,
          "invalid-events",
          "Invalid events in batch",
          errors.size()
              + " of "
              + items.size()
              + " events are invalid; nothing of this batch was stored",
          Map.of("errors", errors));
    }
    return new Parsed(events, redactions);
  }

  private HookEventRecord item(JsonNode item, Map<String, Integer> redactions) {
    if (!item.isObject()) {
      throw new InvalidItem("an event must be a JSON object");
    }
    String id = requiredText(item, "id");
    if (!id.matches("[A-Za-z0-9._:-]{1,128}")) {
      throw new InvalidItem("'id' must match [A-Za-z0-9._:-]{1,128}");
    }
    Instant receivedAt;
    try {
      receivedAt = Instant.parse(requiredText(item, "receivedAt"));
    } catch (DateTimeParseException e) {
      throw new InvalidItem(
          "'receivedAt' must be an ISO-8601 instant such as 2026-11-25T15:04:05.123Z");
    }
    String user = optionalText(item, "user", 256);
    JsonNode event = item.get("event");
    if (event == null || !event.isObject()) {
      throw new InvalidItem("'event' must be the hook input object");
    }
    String sessionId = requiredText(event, "session_id");
    if (!Identifiers.isValid(sessionId)) {
      throw new InvalidItem("'event.session_id' must match [A-Za-z0-9._-]{1,128}");
    }
    String eventName = requiredText(event, "hook_event_name");
    if (!eventName.matches("[A-Za-z0-9_]{1,64}")) {
      throw new InvalidItem("'event.hook_event_name' must be a hook event name such as PreToolUse");
    }
    HookEventRecord.Decision decision = decision(item.get("decision"));
    JsonNode payload = event.deepCopy();
    Map<String, Integer> counts = redactor.redactInPlace(payload);
    StorableText.sanitise(payload);
    if (decision != null) {
      // A reason quotes the command or path it is about: redacted like the payload.
      List<HookEventRecord.DryRunMatch> dryrun = new ArrayList<>();
      for (HookEventRecord.DryRunMatch match : decision.dryrun()) {
        dryrun.add(
            new HookEventRecord.DryRunMatch(
                match.ruleId(), match.verdict(), redacted(match.reason(), counts)));
      }
      decision =
          new HookEventRecord.Decision(
              decision.verdict(),
              decision.ruleId(),
              decision.mode(),
              decision.source(),
              redacted(decision.reason(), counts),
              dryrun);
    }
    counts.forEach((k, v) -> redactions.merge(k, v, Integer::sum));
    return new HookEventRecord(
        id,
        receivedAt,
        user,
        sessionId,
        eventName,
        optionalText(event, "tool_name", 128),
        optionalText(event, "tool_use_id", 128),
        optionalText(event, "agent_id", 128),
        payload,
        decision,
        !counts.isEmpty(),
        SearchText.ofHookEvent(
            payload, decision == null ? null : decision.reason(), maxSearchChars));
  }

  private String redacted(String text, Map<String, Integer> counts) {
    if (text == null) {
      return null;
    }
    var redacted = redactor.redact(text);
    redacted.counts().forEach((k, v) -> counts.merge(k, v, Integer::sum));
    return redacted.text().replace('\0', '\uFFFD');
  }

  private static HookEventRecord.Decision decision(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw new InvalidItem("'decision' must be an object or null");
    }
    String verdict = requiredText(node, "verdict");
    if (!VERDICTS.contains(verdict)) {
      throw new InvalidItem("'decision.verdict' must be one of " + VERDICTS);
    }
    String source = optionalText(node, "source", 32);
    if (source != null && !SOURCES.contains(source)) {
      throw new InvalidItem("'decision.source' must be one of " + SOURCES);
    }
    return new HookEventRecord.Decision(
        verdict,
        optionalText(node, "ruleId", 256),
        optionalText(node, "mode", 32),
        source,
        optionalText(node, "reason", 8192),
        dryRun(node.get("dryrun")));
  }

  private static List<HookEventRecord.DryRunMatch> dryRun(JsonNode node) {
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray() || node.size() > MAX_DRY_RUN_MATCHES) {
      throw new InvalidItem(
          "'decision.dryrun' must be an array of at most " + MAX_DRY_RUN_MATCHES + " matches");
    }
    List<HookEventRecord.DryRunMatch> matches = new ArrayList<>();
    for (JsonNode match : node) {
      if (!match.isObject()) {
        throw new InvalidItem("'decision.dryrun' entries must be objects");
      }
      String ruleId = requiredText(match, "ruleId");
      if (!RULE_ID.matcher(ruleId).matches()) {
        throw new InvalidItem(
            "'decision.dryrun[].ruleId' must be a policy rule id ([a-z0-9][a-z0-9-]{0,62})");
      }
      String verdict = requiredText(match, "verdict");
      if (!DRY_RUN_VERDICTS.contains(verdict)) {
        throw new InvalidItem("'decision.dryrun[].verdict' must be one of " + DRY_RUN_VERDICTS);
      }
      matches.add(
          new HookEventRecord.DryRunMatch(ruleId, verdict, optionalText(match, "reason", 2048)));
    }
    return matches;
  }

  private static String requiredText(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual() || value.textValue().isBlank()) {
      throw new InvalidItem("'" + field + "' is required and must be a non-empty string");
    }
    return value.textValue();
  }

  private static String optionalText(JsonNode node, String field, int maxLength) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new InvalidItem("'" + field + "' must be a string");
    }
    if (value.textValue().length() > maxLength) {
      throw new InvalidItem("'" + field + "' is longer than " + maxLength + " characters");
    }
    return value.textValue();
  }

  private static final class InvalidItem extends RuntimeException {
    InvalidItem(String message) {
      super(message, null, false, false);
    }
  }
}
