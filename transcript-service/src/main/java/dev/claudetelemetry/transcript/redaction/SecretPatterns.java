package dev.claudetelemetry.transcript.redaction;

import java.util.List;

/**
 * The secrets redacted out of the box. Each kind is a label value of {@code
 * claude_redactions_total}; the patterns follow the token formats the vendors document, anchored on
 * their fixed prefixes so ordinary code does not match.
 */
final class SecretPatterns {
  private SecretPatterns() {}

  static List<RedactionPattern> builtIn() {
    return List.of(
        RedactionPattern.of(
            "private-key",
            "-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\\s\\S]*?"
                + "(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\\z)",
            "PRIVATE KEY"),
        RedactionPattern.of("anthropic-api-key", "\\bsk-ant-[A-Za-z0-9_-]{20,}", "sk-ant-"),
        RedactionPattern.of(
            "openai-api-key", "\\bsk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,}", "sk-"),
        RedactionPattern.of(
            "github-token",
            "\\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\\b",
            "ghp_",
            "gho_",
            "ghu_",
            "ghs_",
            "ghr_",
            "github_pat_"),
        RedactionPattern.of(
            "gitlab-token",
            "\\bgl(?:pat|dt|rt|ptt|ft|soat|oas)-[A-Za-z0-9_-]{20,}",
            "glpat-",
            "gldt-",
            "glrt-",
            "glptt-",
            "glft-",
            "glsoat-",
            "gloas-"),
        RedactionPattern.of(
            "slack-token",
            "\\bxox[abposr]-[A-Za-z0-9-]{10,}|https://hooks\\.slack\\.com/services/[A-Za-z0-9/_-]+",
            "xox",
            "hooks.slack.com"),
        RedactionPattern.of(
            "aws-access-key-id",
            "\\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\\b",
            "AKIA",
            "ASIA",
            "ABIA",
            "ACCA"),
        RedactionPattern.of(
            "aws-secret-access-key",
            "(?i)(?:aws_?secret_?access_?key|secretaccesskey)[\"']?\\s*[:=]\\s*[\"']?(?<secret>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])",
            "ecret",
            "ECRET"),
        RedactionPattern.of(
            "gcp-service-account-key",
            "\"private_key_id\"\\s*:\\s*\"(?<secret>[a-f0-9]{40})\"",
            "private_key_id"),
        RedactionPattern.of("gcp-api-key", "\\bAIza[0-9A-Za-z_-]{35}\\b", "AIza"),
        RedactionPattern.of(
            "jwt", "\\beyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}", "eyJ"),
        RedactionPattern.of(
                "url-password",
                "\\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}://[^\\s:/@\"'<>]{1,128}:(?<secret>[^\\s@/\"'<>]{1,256})@",
                "://")
            .alsoRequiring("@"),
        // NAME=value lines of .env-like content whose (upper-case, environment-style) name says it
        // holds a
        // secret. No spaces around '=' as in .env files and shell; code such as `API_TOKEN =
        // os.environ[...]`
        // or `password = request.password()` is left alone, and so are `$VAR` references.
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
