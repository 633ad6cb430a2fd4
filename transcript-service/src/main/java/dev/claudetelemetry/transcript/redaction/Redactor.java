package dev.claudetelemetry.transcript.redaction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.claudetelemetry.transcript.config.TranscriptConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Replaces secrets with {@code [REDACTED:kind]} before anything is stored or logged. JSON is
 * redacted value by value (string values of the parsed tree), so a redacted line is still the same
 * valid JSON document.
 */
@Singleton
public class Redactor {
  private final List<RedactionPattern> patterns;
  private final Prefilter prefilter;

  @Inject
  public Redactor(TranscriptConfig config) {
    this(withExtras(config.redaction().extraPatterns()));
  }

  public Redactor(List<RedactionPattern> patterns) {
    this.patterns = List.copyOf(patterns);
    this.prefilter = new Prefilter(this.patterns);
  }

  /**
   * The built-in kinds plus configured ones; a configured regex that does not compile stops the
   * start.
   */
  public static List<RedactionPattern> withExtras(Map<String, String> extra) {
    List<RedactionPattern> all = new ArrayList<>(SecretPatterns.builtIn());
    extra.forEach(
        (kind, regex) -> {
          if (!kind.matches("[a-z0-9][a-z0-9-]{0,39}")) {
            throw new IllegalArgumentException(
                "transcript.redaction.extra-patterns: kind '"
                    + kind
                    + "' must be lower-case letters, digits and dashes (it becomes a metric label)");
          }
          try {
            all.add(
                new RedactionPattern(
                    kind,
                    Pattern.compile(regex),
                    List.of(),
                    List.of(),
                    List.of(),
                    false,
                    0,
                    0,
                    List.of(),
                    false));
          } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(
                "transcript.redaction.extra-patterns."
                    + kind
                    + " is not a valid regex: "
                    + e.getDescription());
          }
        });
    return all;
  }

  public List<String> kinds() {
    return patterns.stream().map(RedactionPattern::kind).toList();
  }

  /** Redacts plain text. */
  public Redaction redact(String text) {
    Map<String, Integer> counts = new HashMap<>();
    String result = redactInto(text, counts);
    return new Redaction(result, counts);
  }

  /**
   * Redacts every string value of {@code node} in place; returns the counts (empty when nothing
   * changed). Object keys are left alone: they are names, not values.
   */
  public Map<String, Integer> redactInPlace(JsonNode node) {
    Map<String, Integer> counts = new HashMap<>();
    walk(node, counts);
    return counts;
  }

  private void walk(JsonNode node, Map<String, Integer> counts) {
    if (node instanceof ObjectNode object) {
      Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        JsonNode value = field.getValue();
        if (value.isTextual()) {
          String redacted = redactInto(value.textValue(), counts);
          if (redacted != value.textValue()) {
            field.setValue(TextNode.valueOf(redacted));
          }
        } else if (value.isContainerNode()) {
          walk(value, counts);
        }
      }
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        JsonNode value = array.get(i);
        if (value.isTextual()) {
          String redacted = redactInto(value.textValue(), counts);
          if (redacted != value.textValue()) {
            array.set(i, TextNode.valueOf(redacted));
          }
        } else if (value.isContainerNode()) {
          walk(value, counts);
        }
      }
    }
  }

  /** Returns the same instance when nothing matched, so callers can tell cheaply. */
  private String redactInto(String text, Map<String, Integer> counts) {
    long[] scanned = prefilter.scan(text);
    long[] candidates = prefilter.candidates(scanned);
    String current = text;
    String lower = null;
    for (int p = 0; p < patterns.size(); p++) {
      // Keywords are looked for in the text as it came (as gitleaks does), hints and required
      // literals in the text as the patterns before left it: a marker such as
      // [REDACTED:adobe-client-secret] holds a hint of its own, so once the text has changed,
      // every later pattern is asked.
      if (current == text) {
        p = Prefilter.next(candidates, p);
        if (p < 0) {
          break;
        }
        if (!prefilter.worthTrying(p, scanned, text)) {
          continue;
        }
      }
      RedactionPattern pattern = patterns.get(p);
      if (current != text
          && !(prefilter.mentionsKeyword(p, scanned) && pattern.worthTrying(current))) {
        continue;
      }
      if (pattern.startsAtKeyword() && lower == null) {
        lower = asciiLowerCase(current);
      }
      Matches matches = new Matches(pattern, current, lower);
      if (!matches.next()) {
        continue;
      }
      Matcher matcher = matches.matcher;
      boolean named = pattern.hasSecretGroup();
      String marker = "[REDACTED:" + pattern.kind() + "]";
      StringBuilder out = null;
      int last = 0;
      int found = 0;
      do {
        int group = pattern.secretGroupOf(matcher, named);
        int start = named ? matcher.start("secret") : matcher.start(group);
        int end = named ? matcher.end("secret") : matcher.end(group);
        if (start < 0 || start < last) {
          continue;
        }
        String secret = current.substring(start, end);
        if (!pattern.isSecret(secret, matcher.group(), lineAround(current, start, end))) {
          continue;
        }
        if (out == null) {
          out = new StringBuilder(current.length());
        }
        out.append(current, last, start).append(marker);
        last = end;
        found++;
      } while (matches.next());
      if (found > 0) {
        out.append(current, last, current.length());
        current = out.toString();
        lower = null;
        counts.merge(pattern.kind(), found, Integer::sum);
      }
    }
    return current;
  }

  /**
   * The matches of one pattern, in order. A pattern whose every match starts with one of its
   * keywords ({@link RedactionPattern#startsAtKeyword()}) is tried only where a keyword occurs,
   * which finds the same matches as scanning the whole text: most of gitleaks' rules are of this
   * kind, and a few of them have keywords as common as "ey", "sk" or "curl" in long tool outputs.
   */
  private static final class Matches {
    final Matcher matcher;
    private final RedactionPattern pattern;
    private final String lower;
    private int from;

    Matches(RedactionPattern pattern, String text, String lower) {
      this.pattern = pattern;
      this.matcher = pattern.pattern().matcher(text);
      this.lower = pattern.startsAtKeyword() ? lower : null;
      if (this.lower != null) {
        // \b and lookbehinds see the text before a keyword; ^ does not match at one.
        matcher.useTransparentBounds(true).useAnchoringBounds(false);
      }
    }

    boolean next() {
      if (lower == null) {
        return matcher.find();
      }
      while (true) {
        int at = -1;
        for (String keyword : pattern.keywords()) {
          int i = lower.indexOf(keyword, from);
          if (i >= 0 && (at < 0 || i < at)) {
            at = i;
          }
        }
        if (at < 0) {
          return false;
        }
        matcher.region(at, lower.length());
        if (matcher.lookingAt()) {
          from = Math.max(matcher.end(), at + 1);
          return true;
        }
        from = at + 1;
      }
    }
  }

  /** Lower case for ASCII letters only, so every index stays that of the same character. */
  private static String asciiLowerCase(String text) {
    char[] chars = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        if (chars == null) {
          chars = text.toCharArray();
        }
        chars[i] = (char) (c + ('a' - 'A'));
      }
    }
    return chars == null ? text : new String(chars);
  }

  /** The line(s) of {@code text} that hold {@code [start, end)}: an allowlist's "line" target. */
  private static String lineAround(String text, int start, int end) {
    int from = text.lastIndexOf('\n', start - 1) + 1;
    int to = text.indexOf('\n', end);
    return text.substring(from, to < 0 ? text.length() : to);
  }
}
