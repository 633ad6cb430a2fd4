package dev.claudetelemetry.transcript.redaction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * gitleaks' default rule set (vendored unchanged under {@code redaction/gitleaks/} on the
 * classpath, see its SOURCE.md) read as redaction patterns: the rule id is the kind, its {@code
 * keywords}, {@code entropy}, {@code secretGroup} and allowlists keep their gitleaks meaning.
 * Updating the rule set is replacing that file.
 *
 * <p>Left out, each with its reason in {@link #skipped()}: the rules in {@link #EXCLUDED}; rules
 * bound to a file path ({@code path}), which a transcript line does not have; and rules whose regex
 * does not compile in Java even after {@link Re2Syntax}.
 */
public final class GitleaksRules {
  static final String RESOURCE = "/redaction/gitleaks/gitleaks.toml";

  /**
   * Rules of the set that would redact ordinary text: {@code generic-api-key} fires on any
   * high-entropy value after a name like key, token or secret (hashes, ids, test data), and its
   * rule allowlist is a guess list of English words; the project's {@code dotenv-secret} covers the
   * case that matters (secrets in .env-style lines) without those guesses.
   */
  static final Set<String> EXCLUDED = Set.of("generic-api-key");

  private final List<RedactionPattern> patterns;
  private final Map<String, String> skipped;

  private GitleaksRules(List<RedactionPattern> patterns, Map<String, String> skipped) {
    this.patterns = List.copyOf(patterns);
    this.skipped = Collections.unmodifiableMap(new LinkedHashMap<>(skipped));
  }

  /** The vendored rule set; a file that cannot be read stops the start. */
  public static GitleaksRules load() {
    try (InputStream in = GitleaksRules.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the classpath");
      }
      return parse(new TomlMapper().readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  static GitleaksRules parse(JsonNode config) {
    List<Allowlist> global = new ArrayList<>();
    if (config.has("allowlist")) {
      global.add(allowlist(config.get("allowlist")));
    }
    for (JsonNode node : config.path("allowlists")) {
      global.add(allowlist(node));
    }
    List<RedactionPattern> patterns = new ArrayList<>();
    Map<String, String> skipped = new LinkedHashMap<>();
    for (JsonNode rule : config.path("rules")) {
      String id = rule.path("id").asText();
      if (EXCLUDED.contains(id)) {
        skipped.put(id, "excluded: redacts ordinary text (see GitleaksRules.EXCLUDED)");
        continue;
      }
      if (!rule.has("regex")) {
        skipped.put(id, "names files by path only, which a transcript line has not");
        continue;
      }
      if (rule.has("path")) {
        skipped.put(id, "applies only to files whose path matches " + rule.get("path").asText());
        continue;
      }
      Pattern regex;
      String java;
      // The file's global allowlists apply to each of its rules, before the rule's own.
      List<Allowlist> allowlists = new ArrayList<>(global);
      try {
        for (JsonNode node : rule.path("allowlists")) {
          allowlists.add(allowlist(node));
        }
        java = Re2Syntax.toJava(rule.get("regex").asText());
        boolean matchTextMatters =
            allowlists.stream().anyMatch(a -> a.target() == Allowlist.Target.MATCH);
        java = matchTextMatters ? java : withoutLeadingContext(java);
        regex = Pattern.compile(java);
      } catch (PatternSyntaxException e) {
        skipped.put(id, "regex does not compile in Java: " + e.getDescription());
        continue;
      }
      List<String> keywords = new ArrayList<>();
      rule.path("keywords").forEach(k -> keywords.add(k.asText()));
      patterns.add(
          new RedactionPattern(
              id,
              regex,
              keywords,
              List.of(),
              List.of(),
              true,
              rule.path("secretGroup").asInt(0),
              rule.path("entropy").asDouble(0),
              allowlists,
              startsWithKeyword(java, keywords)));
    }
    return new GitleaksRules(patterns, skipped);
  }

  /**
   * gitleaks' rules that find a secret by the name it is assigned to start with {@code
   * [\w.-]{0,50}?}: up to 50 characters of the name before the vendor's word, lazily. It can match
   * nothing, so it decides where a match starts, never whether there is one or which secret it
   * holds; but Java's engine tries it at every position of the text, 50 characters each, which
   * makes these rules the most expensive of the set on long tool outputs. It is dropped (also at
   * the start of a leading {@code (?i:} group) unless an allowlist looks at the matched text.
   */
  static String withoutLeadingContext(String regex) {
    String context = "[\\w.-]{0,50}?";
    StringBuilder kept = new StringBuilder();
    String rest = regex;
    while (true) {
      if (rest.startsWith("(?i)") || rest.startsWith("(?i:")) {
        kept.append(rest, 0, 4);
        rest = rest.substring(4);
      } else if (rest.startsWith(context)) {
        rest = rest.substring(context.length());
      } else {
        return kept + rest;
      }
    }
  }

  /**
   * Whether every match of {@code regex} starts with one of {@code keywords} (any case): after
   * leading word boundaries, flags and group openings, each alternative of the innermost group
   * opened there (or of the whole regex) begins with the literal text of a keyword. Then the regex
   * needs trying only where a keyword occurs.
   */
  static boolean startsWithKeyword(String regex, List<String> keywords) {
    int i = 0;
    int opened = 0;
    while (true) {
      if (regex.startsWith("\\b", i)) {
        i += 2;
      } else if (regex.startsWith("(?i)", i)) {
        i += 4;
      } else if (regex.startsWith("(?:", i)) {
        i += 3;
        opened++;
      } else if (regex.startsWith("(?i:", i)) {
        i += 4;
        opened++;
      } else if (regex.startsWith("(", i) && !regex.startsWith("(?", i)) {
        i += 1;
        opened++;
      } else {
        break;
      }
    }
    List<String> alternatives = new ArrayList<>();
    int depth = 0;
    boolean inClass = false;
    int start = i;
    for (; i < regex.length(); i++) {
      char c = regex.charAt(i);
      if (c == '\\') {
        i++;
      } else if (inClass) {
        inClass = c != ']';
      } else if (c == '[') {
        inClass = true;
      } else if (c == '(') {
        depth++;
      } else if (c == ')') {
        if (depth == 0) {
          break;
        }
        depth--;
      } else if (c == '|' && depth == 0) {
        alternatives.add(regex.substring(start, i));
        start = i + 1;
      }
    }
    if (opened > 0 && i >= regex.length()) {
      return false;
    }
    alternatives.add(regex.substring(start, i));
    for (String alternative : alternatives) {
      String literal = leadingLiteral(alternative).toLowerCase(Locale.ROOT);
      if (literal.isEmpty()
          || keywords.stream().noneMatch(k -> literal.startsWith(k.toLowerCase(Locale.ROOT)))) {
        return false;
      }
    }
    return true;
  }

  /** The text an alternative surely starts with: its literal characters before any operator. */
  private static String leadingLiteral(String alternative) {
    StringBuilder literal = new StringBuilder();
    for (int i = 0; i < alternative.length(); i++) {
      char c = alternative.charAt(i);
      char literalChar;
      int width = 1;
      if (c == '\\' && i + 1 < alternative.length()) {
        char escaped = alternative.charAt(i + 1);
        if (Character.isLetterOrDigit(escaped)) {
          break;
        }
        literalChar = escaped;
        width = 2;
      } else if ("[](){}.*+?|^$".indexOf(c) >= 0) {
        break;
      } else {
        literalChar = c;
      }
      int after = i + width;
      if (after < alternative.length() && "?*{".indexOf(alternative.charAt(after)) >= 0) {
        break;
      }
      literal.append(literalChar);
      i = after - 1;
    }
    return literal.toString();
  }

  private static Allowlist allowlist(JsonNode node) {
    List<Pattern> regexes = new ArrayList<>();
    for (JsonNode regex : node.path("regexes")) {
      regexes.add(Pattern.compile(Re2Syntax.toJava(regex.asText())));
    }
    List<String> stopwords = new ArrayList<>();
    node.path("stopwords").forEach(w -> stopwords.add(w.asText()));
    Allowlist.Target target =
        switch (node.path("regexTarget").asText("secret")) {
          case "match" -> Allowlist.Target.MATCH;
          case "line" -> Allowlist.Target.LINE;
          default -> Allowlist.Target.SECRET;
        };
    boolean all = "AND".equalsIgnoreCase(node.path("condition").asText("OR"));
    boolean namesFilesOrCommits = node.has("paths") || node.has("commits");
    return new Allowlist(regexes, target, stopwords, all, all && namesFilesOrCommits);
  }

  /** The rules kept, in the file's order. */
  public List<RedactionPattern> patterns() {
    return patterns;
  }

  /** Rule id to why it is not used, in the file's order. */
  public Map<String, String> skipped() {
    return skipped;
  }
}
