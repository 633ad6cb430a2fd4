package dev.claudetelemetry.transcript.redaction;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One kind of secret: a regex whose group {@code secret} (or the whole match, when it has none) is
 * replaced by {@code [REDACTED:kind]}. The regex is worth running only on text that holds one of
 * {@code hints} (when any are given) and every one of {@code required}: most text holds neither,
 * which keeps redaction cheap on the upload path.
 */
public record RedactionPattern(
    String kind, Pattern pattern, List<String> hints, List<String> required) {

  public RedactionPattern(String kind, Pattern pattern, List<String> hints) {
    this(kind, pattern, hints, List.of());
  }

  public static RedactionPattern of(String kind, String regex, String... hints) {
    return new RedactionPattern(kind, Pattern.compile(regex), List.of(hints));
  }

  /** The same pattern, tried only on text that also holds each of {@code literals}. */
  RedactionPattern alsoRequiring(String... literals) {
    return new RedactionPattern(kind, pattern, hints, List.of(literals));
  }

  boolean worthTrying(String text) {
    for (String literal : required) {
      if (!text.contains(literal)) {
        return false;
      }
    }
    if (hints.isEmpty()) {
      return true;
    }
    for (String hint : hints) {
      if (text.contains(hint)) {
        return true;
      }
    }
    return false;
  }

  boolean hasSecretGroup() {
    return pattern.pattern().contains("(?<secret>");
  }
}
