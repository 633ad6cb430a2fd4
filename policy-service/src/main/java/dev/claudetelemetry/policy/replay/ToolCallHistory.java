package dev.claudetelemetry.policy.replay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudetelemetry.policy.decisions.HookInputReader;
import dev.claudetelemetry.policy.rules.ToolCall;
import dev.claudetelemetry.policy.rules.Verdict;
import dev.claudetelemetry.servicesupport.problem.ProblemException;
import dev.claudetelemetry.servicesupport.time.Timestamps;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Reads the recorded PreToolUse calls of a window from transcript-service ({@code GET
 * /v1/tool-calls}, read token), page after page, and hands each to a consumer as it is parsed. The
 * inputs were written by the agent, so each is read with the service's own limits (string length,
 * nesting) and checked as a hook input; one that the service would not have judged is counted, not
 * replayed.
 */
public final class ToolCallHistory {

  /** The largest page the endpoint gives. */
  static final int PAGE_SIZE = 10_000;

  private static final int MAX_DEPTH = 64;

  private final HttpClient client;
  private final URI base;
  private final String token;
  private final ObjectMapper json;
  private final HookInputReader hookInputs = new HookInputReader(MAX_DEPTH);

  /** What a read found beside the calls it handed on. */
  public record Totals(long calls, long notJudgeable, int pages) {}

  public ToolCallHistory(HttpClient client, URI base, String token) {
    this.client = client;
    this.base = base;
    this.token = token;
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    // The hook input sits two levels below the line's object.
                    .maxNestingDepth(MAX_DEPTH + 2)
                    .maxStringLength(1_000_000)
                    .build())
            .build();
    this.json = new ObjectMapper(factory);
  }

  /**
   * Every recorded call of {@code [since, until)} (of {@code user}, when not null), oldest first.
   *
   * @throws HistoryException when transcript-service refuses or answers something else than pages
   */
  public Totals read(Instant since, Instant until, String user, Consumer<RecordedCall> consumer)
      throws HistoryException, InterruptedException {
    String after = null;
    long calls = 0;
    long notJudgeable = 0;
    int pages = 0;
    while (true) {
      StringBuilder query =
          new StringBuilder("/v1/tool-calls?limit=" + PAGE_SIZE)
              .append("&since=")
              .append(since)
              .append("&until=")
              .append(until);
      if (user != null) {
        query.append("&user=").append(URLEncoder.encode(user, StandardCharsets.UTF_8));
      }
      if (after != null) {
        query.append("&after=").append(URLEncoder.encode(after, StandardCharsets.UTF_8));
      }
      HttpRequest request =
          HttpRequest.newBuilder(base.resolve(query.toString()))
              .header("Authorization", "Bearer " + token)
              .header("Accept", "application/x-ndjson")
              .timeout(Duration.ofMinutes(5))
              .GET()
              .build();
      HttpResponse<InputStream> response;
      try {
        response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      } catch (IOException e) {
        throw new HistoryException(
            "cannot reach transcript-service at " + base + ": " + e.getMessage());
      }
      pages++;
      Page page;
      try (InputStream body = response.body()) {
        if (response.statusCode() != 200) {
          byte[] problem = body.readNBytes(4096);
          throw new HistoryException(
              "transcript-service answered "
                  + response.statusCode()
                  + ": "
                  + new String(problem, StandardCharsets.UTF_8).strip());
        }
        page = readPage(body, consumer);
      } catch (IOException e) {
        throw new HistoryException(
            "reading page " + pages + " from transcript-service failed: " + e.getMessage());
      }
      calls += page.calls();
      notJudgeable += page.notJudgeable();
      int rows = page.rows();
      String last = page.last();
      if (rows < PAGE_SIZE) {
        return new Totals(calls, notJudgeable, pages);
      }
      after = last;
    }
  }

  /** What one page held. */
  record Page(int rows, long calls, long notJudgeable, String last) {}

  /**
   * Reads one page of NDJSON rows, handing each judgeable call on.
   *
   * @throws HistoryException when the page is not rows of recorded calls
   */
  Page readPage(InputStream body, Consumer<RecordedCall> consumer) throws HistoryException {
    int rows = 0;
    long calls = 0;
    long notJudgeable = 0;
    String last = null;
    try (MappingIterator<JsonNode> lines = json.readerFor(JsonNode.class).readValues(body)) {
      while (lines.hasNext()) {
        JsonNode line = lines.next();
        if (!line.isObject()) {
          throw new HistoryException("transcript-service sent a row that is not an object");
        }
        rows++;
        RecordedCall call = recordedCall(line);
        // The next page starts after this row, named as the service wrote it.
        last = text(line, "receivedAt") + "," + text(line, "id");
        if (call == null) {
          notJudgeable++;
        } else {
          calls++;
          consumer.accept(call);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new HistoryException(
          "transcript-service sent rows that cannot be read: " + e.getMessage());
    }
    return new Page(rows, calls, notJudgeable, last);
  }

  /** {@code null} for a row that holds no hook input the policy would judge. */
  RecordedCall recordedCall(JsonNode line) throws HistoryException {
    String id = text(line, "id");
    // Read field by field: Instant.parse cost as much as the rest of the row.
    Instant receivedAt = Timestamps.parse(text(line, "receivedAt"));
    if (receivedAt == null) {
      throw new HistoryException("transcript-service sent a row without a valid receivedAt");
    }
    if (id == null) {
      throw new HistoryException("transcript-service sent a row without an id");
    }
    ToolCall call;
    try {
      call = hookInputs.toolCall(line.path("input"));
    } catch (ProblemException e) {
      return null;
    }
    Verdict recorded = null;
    String verdict = text(line, "verdict");
    if ("policy".equals(text(line, "source")) && verdict != null) {
      try {
        recorded = Verdict.fromWireName(verdict);
      } catch (IllegalArgumentException e) {
        recorded = null;
      }
    }
    return new RecordedCall(
        id,
        receivedAt,
        text(line, "sessionId"),
        text(line, "user"),
        call,
        recorded,
        recorded == null ? null : text(line, "ruleId"));
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value != null && value.isTextual() ? value.textValue() : null;
  }

  /** transcript-service could not be read, or answered something that is not the history. */
  public static final class HistoryException extends Exception {
    public HistoryException(String message) {
      super(message, null, false, false);
    }
  }
}
