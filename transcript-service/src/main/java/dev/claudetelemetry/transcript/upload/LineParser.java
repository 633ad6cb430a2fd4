package dev.claudetelemetry.transcript.upload;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.claudetelemetry.servicesupport.time.Timestamps;
import dev.claudetelemetry.transcript.config.TranscriptConfig;
import dev.claudetelemetry.transcript.redaction.Redaction;
import dev.claudetelemetry.transcript.redaction.Redactor;
import dev.claudetelemetry.transcript.redaction.StorableText;
import dev.claudetelemetry.transcript.search.SearchText;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns the bytes of one transcript line into a {@link StoredLine}: parse, redact the JSON values,
 * extract type, uuid, timestamp and searchable text. A line that is not JSON is kept as (redacted)
 * text and flagged. The original text is stored unchanged unless redaction or sanitising had to
 * rewrite it.
 */
@Singleton
public class LineParser {
  /**
   * Escapes PostgreSQL refuses in json text: lone UTF-16 surrogates; and NUL, which no text column
   * holds.
   */
  private static final Pattern RISKY_ESCAPE =
      Pattern.compile("\\\\u(?:[dD][89a-fA-F][0-9a-fA-F]{2}|0000)");

  private final ObjectMapper mapper;
  private final ObjectReader reader;
  private final Redactor redactor;
  private final int maxSearchChars;

  public LineParser(ObjectMapper mapper, Redactor redactor, TranscriptConfig config) {
    this.mapper = mapper;
    this.reader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    this.redactor = redactor;
    this.maxSearchChars = config.limits().maxSearchTextChars();
  }

  /**
   * {@code length} bytes at {@code start} of {@code buffer}, the newline excluded; {@code
   * truncated} if cut.
   */
  public StoredLine parse(
      byte[] buffer, int start, int length, long fileOffset, int storedLength, boolean truncated) {
    int end = start + length;
    if (end > start && buffer[end - 1] == '\r') {
      end--;
    }
    JsonNode tree = truncated ? null : tryParse(buffer, start, end - start);
    if (tree == null) {
      return textLine(
          new String(buffer, start, end - start, StandardCharsets.UTF_8),
          fileOffset,
          storedLength,
          truncated);
    }
    String original = new String(buffer, start, end - start, StandardCharsets.UTF_8);
    Map<String, Integer> redactions = redactor.redactInPlace(tree);
    boolean sanitised = RISKY_ESCAPE.matcher(original).find() && StorableText.sanitise(tree);
    String json = redactions.isEmpty() && !sanitised ? original : write(tree);
    String type = text(tree.get("type"));
    String searchText = SearchText.ofTranscriptLine(tree, maxSearchChars);
    return new StoredLine(
        fileOffset,
        storedLength,
        type,
        text(tree.get("uuid")),
        Timestamps.parse(text(tree.get("timestamp"))),
        json,
        null,
        false,
        redactions,
        searchText,
        facts(tree, type));
  }

  private StoredLine textLine(
      String decoded, long fileOffset, int storedLength, boolean truncated) {
    String safe = decoded.indexOf('\0') >= 0 ? decoded.replace('\0', '\uFFFD') : decoded;
    Redaction redaction = redactor.redact(safe);
    String text = redaction.text();
    String search = text.length() > maxSearchChars ? text.substring(0, maxSearchChars) : text;
    return new StoredLine(
        fileOffset,
        storedLength,
        null,
        null,
        null,
        null,
        text,
        truncated,
        redaction.counts(),
        search,
        SessionFacts.NONE);
  }

  private JsonNode tryParse(byte[] buffer, int start, int length) {
    if (length == 0) {
      return null;
    }
    try {
      JsonNode node = reader.readTree(buffer, start, length);
      return node == null || node.isMissingNode() ? null : node;
    } catch (IOException e) {
      return null;
    }
  }

  private String write(JsonNode tree) {
    try {
      return mapper.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a parsed tree always serialises", e);
    }
  }

  private static SessionFacts facts(JsonNode line, String type) {
    String cwd = text(line.get("cwd"));
    String model = null;
    SessionFacts.CostTotals cost = null;
    if ("assistant".equals(type)) {
      JsonNode message = line.get("message");
      model = message == null ? null : text(message.get("model"));
    } else if ("cost-state".equals(type)) {
      cost = costTotals(line);
    }
    if (cwd == null && model == null && cost == null) {
      return SessionFacts.NONE;
    }
    return new SessionFacts(cwd, model, cost);
  }

  private static SessionFacts.CostTotals costTotals(JsonNode line) {
    JsonNode total = line.get("totalCostUSD");
    if (total == null || !total.isNumber()) {
      return null;
    }
    long input = 0;
    long output = 0;
    long cacheRead = 0;
    long cacheCreation = 0;
    JsonNode usage = line.get("modelUsage");
    if (usage != null && usage.isObject()) {
      for (JsonNode model : usage) {
        input += model.path("inputTokens").asLong();
        output += model.path("outputTokens").asLong();
        cacheRead += model.path("cacheReadInputTokens").asLong();
        cacheCreation += model.path("cacheCreationInputTokens").asLong();
      }
    }
    return new SessionFacts.CostTotals(
        new BigDecimal(total.asText()), input, output, cacheRead, cacheCreation);
  }

  static String text(JsonNode node) {
    if (node == null || !node.isTextual()) {
      return null;
    }
    String value = node.textValue();
    return value.length() > 1024 ? value.substring(0, 1024) : value;
  }
}
