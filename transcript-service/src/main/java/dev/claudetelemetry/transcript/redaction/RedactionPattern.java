package dev.claudetelemetry.transcript.redaction;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One kind of secret: a regex whose group {@code secret} (or the whole match, when it has none) is replaced by
 * {@code [REDACTED:kind]}. {@code hints} are literals one of which must occur for the regex to be worth running:
 * most text contains none, which keeps redaction cheap on the upload path.
 */
public record RedactionPattern(String kind, Pattern pattern, List<String> hints) {

  public static RedactionPattern of(String kind, String regex, String... hints) {
    return new RedactionPattern(kind, Pattern.compile(regex), List.of(hints));
  }

  boolean worthTrying(String text) {
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
