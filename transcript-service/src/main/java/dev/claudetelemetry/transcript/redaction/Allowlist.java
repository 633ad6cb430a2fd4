package dev.claudetelemetry.transcript.redaction;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A gitleaks allowlist: what a rule (or every rule) found is not a secret when one of {@code
 * regexes} finds something in the target (the secret, the whole match, or its line) or the secret
 * contains one of {@code stopwords}; with {@code all} (gitleaks' condition AND), every check it has
 * must say so. Paths and commits name files and commits, which a transcript line has not: an AND
 * allowlist with such a condition ({@code pathBound}) never allows anything here, so the finding is
 * redacted.
 */
public record Allowlist(
    List<Pattern> regexes, Target target, List<String> stopwords, boolean all, boolean pathBound) {

  /** What {@code regexes} are matched against. */
  public enum Target {
    SECRET,
    MATCH,
    LINE
  }

  public Allowlist {
    regexes = List.copyOf(regexes);
    stopwords = stopwords.stream().map(w -> w.toLowerCase(Locale.ROOT)).toList();
  }

  boolean allows(String secret, String match, String line) {
    if (pathBound) {
      return false;
    }
    String target =
        switch (this.target) {
          case SECRET -> secret;
          case MATCH -> match;
          case LINE -> line;
        };
    boolean regexAllowed = false;
    for (Pattern regex : regexes) {
      if (regex.matcher(target).find()) {
        regexAllowed = true;
        break;
      }
    }
    boolean stopword = false;
    if (!stopwords.isEmpty()) {
      String lower = secret.toLowerCase(Locale.ROOT);
      for (String word : stopwords) {
        if (lower.contains(word)) {
          stopword = true;
          break;
        }
      }
    }
    if (all) {
      return (regexes.isEmpty() || regexAllowed) && (stopwords.isEmpty() || stopword);
    }
    return regexAllowed || stopword;
  }
}
