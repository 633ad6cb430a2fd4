package dev.claudetelemetry.policy.rules;

import com.google.re2j.Pattern;
import dev.cel.common.CelOptions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CEL's {@code matches} as the standard runtime defines it (RE2 syntax, the runtime's partial-match
 * and program-size options), with each pattern compiled once instead of at every call: the standard
 * binding compiles the regex on every evaluation, which cost more than the rest of a rule's
 * condition. Patterns are nearly always literals in the policy, so the cache stays small; it stops
 * growing at {@link #MAX_CACHED} for a condition that builds its pattern from the call.
 */
final class CelRegex {

  static final int MAX_CACHED = 1024;

  private final CelOptions options;
  private final Map<String, Pattern> compiled = new ConcurrentHashMap<>();

  CelRegex(CelOptions options) {
    this.options = options;
  }

  boolean matches(String string, String regex) {
    Pattern pattern = compiled.get(regex);
    if (pattern == null) {
      pattern = compile(regex);
      if (compiled.size() < MAX_CACHED) {
        compiled.put(regex, pattern);
      }
    }
    return options.enableRegexPartialMatch()
        ? pattern.matcher(string).find()
        : pattern.matcher(string).matches();
  }

  private Pattern compile(String regex) {
    Pattern pattern = Pattern.compile(regex);
    int limit = options.maxRegexProgramSize();
    if (limit >= 0 && pattern.programSize() > limit) {
      throw new IllegalArgumentException(
          String.format(
              "Regex pattern exceeds allowed program size. Allowed: %d, Provided: %d",
              limit, pattern.programSize()));
    }
    return pattern;
  }
}
