package dev.claudetelemetry.transcript.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/** Plain JUnit: the literals found in a regex are in every match of it. */
class NecessaryLiteralsTest {

  @Test
  void shouldFindTheLiteralsEveryMatchHolds() {
    assertThat(NecessaryLiterals.of("\\bcurl\\b(?:.*|.*\\n.*)[ \\t](?:-u|--user)=(\\w+)"))
        .containsExactly(Set.of("curl"), Set.of(" -u=", " --user=", "\t-u=", "\t--user="));
    // Case is ignored: literals are lower case, matched in any case.
    assertThat(NecessaryLiterals.of("(?i)Bearer[ ]+[A-Z]{20}")).containsExactly(Set.of("bearer"));
    // A class of a few characters multiplies; a larger one, or a repetition that may be empty,
    // breaks the run.
    assertThat(NecessaryLiterals.of("ab[cd]e\\d+fgh(?:ij)?klm"))
        .containsExactly(Set.of("abce", "abde"), Set.of("fgh"), Set.of("klm"));
    // Alternatives: the best set of each, together; one without any makes none.
    assertThat(NecessaryLiterals.of("(?:xoxb-\\d+|hooks\\.slack\\.com/\\w+)"))
        .containsExactly(Set.of("xoxb-", "hooks.slack.com/"));
    assertThat(NecessaryLiterals.of("(?:xoxb-\\d+|\\w+)")).isEmpty();
    // Lookarounds hold no part of the match; hexadecimal escapes are characters.
    assertThat(NecessaryLiterals.of("(?<=key=)abc(?!def)\\x2Dghi"))
        .containsExactly(Set.of("abc-ghi"));
    // Java reads ']' first in a class as a member.
    assertThat(NecessaryLiterals.of("[]a]bcd")).containsExactly(Set.of("]bcd", "abcd"));
  }

  @Test
  void shouldKnowNothingOfSyntaxItDoesNotRead() {
    assertThat(NecessaryLiterals.of("(?x) abc # comment")).isEmpty();
    assertThat(NecessaryLiterals.of("(?u)(?i)kelvin")).isEmpty();
    assertThat(NecessaryLiterals.of("\\Qabc\\E")).isEmpty();
    assertThat(NecessaryLiterals.of("(abc)\\1")).isEmpty();
    assertThat(NecessaryLiterals.of("ab")).isEmpty();
  }

  @Test
  void shouldFindOnlyLiteralsThatEveryMatchOfEveryBuiltInRuleHolds() {
    Random random = new Random(3);
    int checked = 0;
    for (RedactionPattern pattern : Redactor.withExtras(Map.of())) {
      List<Set<String>> sets = NecessaryLiterals.of(pattern.pattern().pattern());
      for (int n = 0; n < 40; n++) {
        String sample = RegexSamples.sample(pattern.pattern().pattern(), random);
        Matcher matcher = pattern.pattern().matcher(sample);
        if (!matcher.find()) {
          continue;
        }
        String match = matcher.group().toLowerCase(Locale.ROOT);
        for (Set<String> set : sets) {
          assertThat(set)
              .as("%s: literals of %s in its match %s", pattern.kind(), pattern.pattern(), match)
              .anyMatch(match::contains);
        }
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(5000);
  }
}
