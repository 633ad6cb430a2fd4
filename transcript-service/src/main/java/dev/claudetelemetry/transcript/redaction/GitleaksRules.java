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
      // The file's global allowlists apply to each of its rules, before the rule's own.
      List<Allowlist> allowlists = new ArrayList<>(global);
      try {
        regex = Pattern.compile(Re2Syntax.toJava(rule.get("regex").asText()));
        for (JsonNode node : rule.path("allowlists")) {
          allowlists.add(allowlist(node));
        }
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
              allowlists));
    }
    return new GitleaksRules(patterns, skipped);
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
