package dev.claudetelemetry.transcript.redaction;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The secrets redacted out of the box: gitleaks' rule set ({@link GitleaksRules}) plus the
 * project's own rules for what it lacks. Each kind is a label value of {@code
 * claude_redactions_total}.
 *
 * <p>Order matters, since each pattern sees the text the previous ones left: PEM blocks go first
 * (their body would otherwise feed other rules), then gitleaks' rules, then the rules that name a
 * secret by the name it is assigned to, so that {@code GITHUB_TOKEN=ghp_…} is counted as the GitHub
 * token it is.
 */
final class SecretPatterns {
  private SecretPatterns() {}

  private static final class Loaded {
    static final GitleaksRules GITLEAKS = GitleaksRules.load();
  }

  static GitleaksRules gitleaks() {
    return Loaded.GITLEAKS;
  }

  static List<RedactionPattern> builtIn() {
    Map<String, RedactionPattern> byKind = new LinkedHashMap<>();
    // Replace gitleaks' rule of the same id, where the project's rule matches more of what a
    // Claude Code transcript holds.
    for (RedactionPattern pattern : replacingGitleaks()) {
      byKind.put(pattern.kind(), pattern);
    }
    for (RedactionPattern pattern : gitleaks().patterns()) {
      byKind.putIfAbsent(pattern.kind(), pattern);
    }
    List<RedactionPattern> all = new ArrayList<>(byKind.values());
    all.addAll(byName());
    return all;
  }

  static List<RedactionPattern> replacingGitleaks() {
    return List.of(
        // gitleaks' rule wants 64 characters of body and the closing KEY-----; a transcript
        // often holds a key cut off by `head` or by a tool's output limit, still a leaked key:
        // without its end, everything after BEGIN is redacted.
        RedactionPattern.keyed(
            "private-key",
            "(?i)-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\\s\\S]*?"
                + "(?:KEY(?: BLOCK)?-----|\\z)",
            "-----begin"),
        // gitleaks wants the full-length api03 form; in Claude Code's transcripts any sk-ant-
        // string is an Anthropic key, also cut off or of another generation.
        RedactionPattern.of("anthropic-api-key", "\\bsk-ant-[A-Za-z0-9_-]{20,}", "sk-ant-"));
  }

  /** Secrets gitleaks has no rule for, found by the name they are assigned to. */
  static List<RedactionPattern> byName() {
    return List.of(
        RedactionPattern.of(
            "aws-secret-access-key",
            "(?i)(?:aws_?secret_?access_?key|secretaccesskey)[\"']?\\s*[:=]\\s*[\"']?(?<secret>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])",
            "ecret",
            "ECRET"),
        RedactionPattern.of(
            "gcp-service-account-key",
            "\"private_key_id\"\\s*:\\s*\"(?<secret>[a-f0-9]{40})\"",
            "private_key_id"),
        RedactionPattern.of(
                "url-password",
                "\\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}://[^\\s:/@\"'<>]{1,128}:(?<secret>[^\\s@/\"'<>]{1,256})@",
                "://")
            .alsoRequiring("@"),
        // NAME=value lines of .env-like content whose (upper-case, environment-style) name says
        // it holds a secret. No spaces around '=' as in .env files and shell; code such as
        // `API_TOKEN = os.environ[...]` or `password = request.password()` is left alone, and so
        // are `$VAR` references.
        RedactionPattern.of(
                "dotenv-secret",
                "(?m)^[ \\t]*(?:export[ \\t]+)?[A-Z_][A-Z0-9_]*"
                    + "(?:SECRET|TOKEN|PASSWORD|PASSWD|PWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?|DSN)"
                    + "[A-Z0-9_]*=(?<secret>(?!\\[REDACTED:)[^\\s#$][^\\n]*)",
                // Each alternative of the name above holds one of these; "=" alone is in most code.
                "SECRET",
                "TOKEN",
                "PASSW",
                "PWD",
                "KEY",
                "CREDENTIAL",
                "DSN")
            .alsoRequiring("="));
  }
}
