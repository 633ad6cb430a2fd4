package dev.claudetelemetry.policy.interpreters;

import java.util.List;

/** Placeholder until the Perl, Ruby and PHP reader lands: nothing recognised. */
final class ScriptTokens {
  private ScriptTokens() {}

  static void analyze(Language language, String code, List<Effect> into) {}
}
