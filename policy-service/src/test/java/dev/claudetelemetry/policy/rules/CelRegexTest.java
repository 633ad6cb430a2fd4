package dev.claudetelemetry.policy.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cel.runtime.CelVariableResolver;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code matches} in a rule's condition, whose patterns are compiled once: the same answers as the
 * standard CEL binding (RE2, a match anywhere in the string unless anchored), in both call forms,
 * and the same for every later call with the same pattern.
 */
class CelRegexTest {

  private static boolean test(String expression, String command) {
    CelVariableResolver variables =
        name -> name.equals("command") ? Optional.of(command) : Optional.empty();
    return CelCondition.compile(expression).test(variables);
  }

  @Test
  void shouldMatchAnywhereUnlessAnchored() {
    for (int call = 0; call < 3; call++) {
      assertThat(test("command.matches('ab')", "xaby")).isTrue();
      assertThat(test("command.matches('^ab')", "xaby")).isFalse();
      assertThat(test("command.matches('^-[a-zA-Z]*W')", "-qW")).isTrue();
      assertThat(test("command.matches('^-[a-zA-Z]*W')", "--W")).isFalse();
      assertThat(test("matches(command, '(?i)^git$')", "GIT")).isTrue();
      assertThat(test("matches(command, '(?i)^git$')", "gitx")).isFalse();
    }
  }

  @Test
  void shouldCountAPatternThatDoesNotCompileAsAMatchEveryTime() {
    // A condition that cannot be evaluated holds (CelCondition.test): the guard does not let a
    // call through on an error. A pattern built from the call is not valid RE2 here.
    for (int call = 0; call < 3; call++) {
      assertThat(test("'x'.matches(command)", "(")).isTrue();
      assertThat(test("'x'.matches(command)", "y")).isFalse();
    }
  }

  @Test
  void shouldStopCachingPatternsBuiltFromCalls() {
    CelRegex regex = new CelRegex(dev.cel.common.CelOptions.current().build());
    for (int i = 0; i < CelRegex.MAX_CACHED + 10; i++) {
      assertThat(regex.matches("a" + i, "^a" + i + "$")).isTrue();
      assertThat(regex.matches("b" + i, "^a" + i + "$")).isFalse();
    }
  }
}
