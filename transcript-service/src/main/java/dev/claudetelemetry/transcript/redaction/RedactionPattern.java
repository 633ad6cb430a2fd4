package dev.claudetelemetry.transcript.redaction;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One kind of secret: a regex and which part of its match is the secret, replaced by {@code
 * [REDACTED:kind]}.
 *
 * <p>The secret is the group named {@code secret} when the regex has one; else, for a rule that
 * follows gitleaks' convention ({@code firstGroupIsSecret}), its {@code secretGroup} or else the
 * first capture group that matched something; else the whole match.
 *
 * <p>The regex is worth running only on text that holds one of {@code keywords} (any case; found
 * for all patterns at once by {@link Prefilter}), one of {@code hints} (exact case) and every one
 * of {@code required}, when any are given: most text holds none, which keeps redaction cheap on the
 * upload path. A match is not a secret when the secret's Shannon entropy is at most {@code
 * minEntropy} (0: no check) or an {@link Allowlist} says it is a known non-secret. When every match
 * starts with one of the keywords ({@code startsAtKeyword}), the regex is tried only where one
 * occurs.
 */
public record RedactionPattern(
    String kind,
    Pattern pattern,
    List<String> keywords,
    List<String> hints,
    List<String> required,
    boolean firstGroupIsSecret,
    int secretGroup,
    double minEntropy,
    List<Allowlist> allowlists,
    boolean startsAtKeyword) {

  public RedactionPattern {
    keywords = keywords.stream().map(k -> k.toLowerCase(Locale.ROOT)).toList();
    hints = List.copyOf(hints);
    required = List.copyOf(required);
    allowlists = List.copyOf(allowlists);
  }

  /** A pattern tried on text holding one of {@code hints}; its secret as described above. */
  public static RedactionPattern of(String kind, String regex, String... hints) {
    return new RedactionPattern(
        kind,
        Pattern.compile(regex),
        List.of(),
        List.of(hints),
        List.of(),
        false,
        0,
        0,
        List.of(),
        false);
  }

  /** A pattern tried on text holding one of {@code keywords}, in any case. */
  public static RedactionPattern keyed(String kind, String regex, String... keywords) {
    return new RedactionPattern(
        kind,
        Pattern.compile(regex),
        List.of(keywords),
        List.of(),
        List.of(),
        false,
        0,
        0,
        List.of(),
        false);
  }

  /** The same pattern, tried only on text that also holds each of {@code literals}. */
  RedactionPattern alsoRequiring(String... literals) {
    return new RedactionPattern(
        kind,
        pattern,
        keywords,
        hints,
        List.of(literals),
        firstGroupIsSecret,
        secretGroup,
        minEntropy,
        allowlists,
        startsAtKeyword);
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

  /** The group of {@code matcher}'s current match that holds the secret (0: the whole match). */
  int secretGroupOf(Matcher matcher, boolean named) {
    if (named) {
      return -1;
    }
    if (!firstGroupIsSecret || matcher.groupCount() == 0) {
      return 0;
    }
    if (secretGroup > 0) {
      return secretGroup <= matcher.groupCount() ? secretGroup : 0;
    }
    for (int g = 1; g <= matcher.groupCount(); g++) {
      if (matcher.start(g) >= 0 && matcher.end(g) > matcher.start(g)) {
        return g;
      }
    }
    return 0;
  }

  /** Whether a found secret counts: entropy above the minimum and no allowlist naming it. */
  boolean isSecret(String secret, String match, String line) {
    if (minEntropy > 0 && shannonEntropy(secret) <= minEntropy) {
      return false;
    }
    for (Allowlist allowlist : allowlists) {
      if (allowlist.allows(secret, match, line)) {
        return false;
      }
    }
    return true;
  }

  /** Bits of information per character, as gitleaks computes it for its entropy threshold. */
  static double shannonEntropy(String text) {
    if (text.isEmpty()) {
      return 0;
    }
    Map<Character, Integer> counts = new HashMap<>();
    for (int i = 0; i < text.length(); i++) {
      counts.merge(text.charAt(i), 1, Integer::sum);
    }
    double entropy = 0;
    for (int count : counts.values()) {
      double p = (double) count / text.length();
      entropy -= p * (Math.log(p) / Math.log(2));
    }
    return entropy;
  }
}
