package dev.claudetelemetry.transcript.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Plain JUnit over the vendored gitleaks rule set: which rules are left out and why, and that every
 * kept rule redacts a secret of its own format, alone and among all the built-in patterns.
 */
class GitleaksRulesTest {
  private static final GitleaksRules RULES = GitleaksRules.load();
  private static final Redactor ALL_BUILT_IN = new Redactor(Redactor.withExtras(Map.of()));

  @Test
  void shouldLeaveOutOnlyTheGenericRuleAndRulesBoundToAFilePath() {
    System.out.printf(
        "gitleaks rules kept: %d, skipped: %d%n", RULES.patterns().size(), RULES.skipped().size());
    RULES.skipped().forEach((id, why) -> System.out.println("  skipped " + id + ": " + why));

    assertThat(RULES.skipped())
        .containsOnlyKeys(
            "freemius-secret-key",
            "generic-api-key",
            "hashicorp-tf-password",
            "kubernetes-secret-yaml",
            "nuget-config-password",
            "pkcs12-file");
    assertThat(RULES.skipped().get("generic-api-key")).startsWith("excluded");
    assertThat(RULES.skipped().values()).noneMatch(why -> why.contains("does not compile"));
    assertThat(RULES.patterns()).hasSizeGreaterThan(200);
  }

  static Stream<String> keptRuleIds() {
    return RULES.patterns().stream().map(RedactionPattern::kind);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keptRuleIds")
  void shouldRedactASecretOfEachKeptRulesFormat(String id) {
    RedactionPattern rule =
        RULES.patterns().stream().filter(p -> p.kind().equals(id)).findFirst().orElseThrow();
    Redactor alone = new Redactor(List.of(rule));
    Random random = new Random(id.hashCode());
    List<String> tried = new ArrayList<>();
    for (int attempt = 0; attempt < 200; attempt++) {
      String sample = RegexSamples.sample(rule.pattern().pattern(), random);
      // A rule whose keywords are not part of its secret (a vendor's name) needs them nearby.
      boolean mentioned = rule.keywords().stream().anyMatch(k -> sample.toLowerCase().contains(k));
      String context = mentioned ? "found" : rule.keywords().get(0);
      String text = context + " in the output:\n" + sample + "\nend";
      Redaction redaction = alone.redact(text);
      if (!redaction.changed()) {
        tried.add(sample);
        continue;
      }
      String secret = secretOf(rule, text);
      assertThat(redaction.text())
          .as("rule %s on %s", id, text)
          .doesNotContain(secret)
          .contains("[REDACTED:" + id + "]");
      assertThat(ALL_BUILT_IN.redact(text).text())
          .as("all built-in patterns on %s", text)
          .doesNotContain(secret)
          .contains("[REDACTED:");
      return;
    }
    throw new AssertionError(
        "no sample of "
            + id
            + " was redacted; last tried: "
            + tried.subList(tried.size() - 3, tried.size()));
  }

  /** The secret the rule finds in {@code text}, the way the redactor picks it. */
  private static String secretOf(RedactionPattern rule, String text) {
    var matcher = rule.pattern().matcher(text);
    while (matcher.find()) {
      int group = rule.secretGroupOf(matcher, false);
      String secret = matcher.group(group);
      if (rule.isSecret(secret, matcher.group(), text)) {
        return secret;
      }
    }
    throw new AssertionError("rule " + rule.kind() + " finds no secret in " + text);
  }

  @Test
  void shouldKeepGitleaksSemanticsForKeywordsEntropyAndAllowlists() {
    Redactor redactor = new Redactor(RULES.patterns());

    // The rule's own allowlist: AWS' documentation key ends in EXAMPLE.
    assertThat(redactor.redact("id AKIA" + "IOSFODNN7EXAMPLE").changed()).isFalse();
    assertThat(redactor.redact("id AKIA" + "QYLPMN5HHHFPZAM2").text())
        .isEqualTo("id [REDACTED:aws-access-token]");
    // Entropy: a placeholder of one repeated character is no token.
    assertThat(redactor.redact("ghp_" + "x".repeat(36)).changed()).isFalse();
    // Keywords are lower case in the file and match the text in any case, as in gitleaks.
    assertThat(RULES.patterns().stream().filter(p -> p.kind().equals("aws-access-token")))
        .singleElement()
        .satisfies(p -> assertThat(p.keywords()).contains("akia"));
  }

  @Test
  void shouldReadRe2ConstructsTheWayGoDoes() {
    // A POSIX class: in Java, untranslated, a class of the characters ":alnum".
    Pattern alnum = Pattern.compile(Re2Syntax.toJava("^pat[[:alnum:]]{3}$"));
    assertThat(alnum.matcher("patA7z").matches()).isTrue();
    assertThat(alnum.matcher("pat:::").matches()).isFalse();
    assertThat(Pattern.compile(Re2Syntax.toJava("^[[:^digit:]]$")).matcher("7").matches())
        .isFalse();
    // '[' and '&&' inside a class are literals in RE2.
    Pattern bracket = Pattern.compile(Re2Syntax.toJava("^[a[&&]+$"));
    assertThat(bracket.matcher("a[&&a").matches()).isTrue();
    assertThat(bracket.matcher("b").matches()).isFalse();
    // '{' that starts no repetition is a literal; one that does stays a repetition.
    assertThat(Pattern.compile(Re2Syntax.toJava("^\\${[A-Z_]+}$")).matcher("${HOME}").matches())
        .isTrue();
    assertThat(Pattern.compile(Re2Syntax.toJava("^a{2,3}$")).matcher("aaa").matches()).isTrue();
    // Named groups: RE2's (?P<name>, and names Java refuses.
    Matcher named = Pattern.compile(Re2Syntax.toJava("(?P<key_ops>k+)")).matcher("xkk");
    assertThat(named.find()).isTrue();
    assertThat(named.group("keyops")).isEqualTo("kk");
  }

  @Test
  void shouldFindEveryKeywordInOnePassAsContainsWould() {
    List<List<String>> keywords =
        List.of(List.of("ghp_", "gho_"), List.of("ey"), List.of(), List.of("hooks.slack.com"));
    KeywordIndex index = new KeywordIndex(keywords);
    Random random = new Random(7);
    String alphabet = "ghpo_eyEYHOKS.lackcmé";
    for (int i = 0; i < 20_000; i++) {
      StringBuilder text = new StringBuilder();
      for (int n = random.nextInt(40); n > 0; n--) {
        text.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      if (random.nextInt(10) == 0) {
        text.insert(random.nextInt(text.length() + 1), "HOOKS.Slack.com");
      }
      long[] found = index.patternsMentionedIn(text.toString());
      String lower = text.toString().toLowerCase(Locale.ROOT);
      for (int p = 0; p < keywords.size(); p++) {
        boolean expected = keywords.get(p).stream().anyMatch(lower::contains);
        assertThat(KeywordIndex.contains(found, p))
            .as("pattern %d in %s", p, text)
            .isEqualTo(expected);
      }
    }
  }

  @Test
  void shouldNotUseTheGenericRule() {
    assertThat(ALL_BUILT_IN.kinds())
        .doesNotContain("generic-api-key")
        .contains("dotenv-secret", "url-password", "github-pat", "private-key");
    assertThat(ALL_BUILT_IN.redact("api_key = \"8f4b2c9e1a7d3f6b0c5e\"").changed()).isFalse();
  }

  @Test
  void shouldFindTheSameSecretsWhenTryingARuleOnlyWhereItsKeywordsOccur() {
    List<RedactionPattern> anchored =
        RULES.patterns().stream().filter(RedactionPattern::startsAtKeyword).toList();
    assertThat(anchored)
        .extracting(RedactionPattern::kind)
        .contains("jwt", "vault-service-token", "curl-auth-header", "twilio-api-key", "github-pat")
        .hasSizeGreaterThan(150);
    assertThat(RULES.patterns())
        .filteredOn(p -> p.kind().equals("airtable-personnal-access-token"))
        .singleElement()
        .satisfies(p -> assertThat(p.startsAtKeyword()).isFalse());

    Random random = new Random(11);
    for (RedactionPattern rule : anchored) {
      RedactionPattern everywhere =
          new RedactionPattern(
              rule.kind(),
              rule.pattern(),
              rule.keywords(),
              rule.hints(),
              rule.required(),
              rule.firstGroupIsSecret(),
              rule.secretGroup(),
              rule.minEntropy(),
              rule.allowlists(),
              false);
      for (int n = 0; n < 20; n++) {
        String sample = RegexSamples.sample(rule.pattern().pattern(), random);
        String text =
            rule.keywords().get(0).toUpperCase(Locale.ROOT)
                + " x"
                + sample
                + " "
                + sample
                + "\n"
                + rule.keywords().get(0)
                + sample;
        assertThat(new Redactor(List.of(rule)).redact(text))
            .as("%s on %s", rule.kind(), text)
            .isEqualTo(new Redactor(List.of(everywhere)).redact(text));
      }
    }
  }

  @Test
  void shouldDropOnlyTheOptionalNameBeforeAVendorsWord() {
    assertThat(
            GitleaksRules.withoutLeadingContext(
                "[\\w.-]{0,50}?(?i:[\\w.-]{0,50}?(?:cohere|CO_API_KEY)(?:[ \\t\\w.-]{0,20}))=(x)"))
        .isEqualTo("(?i:(?:cohere|CO_API_KEY)(?:[ \\t\\w.-]{0,20}))=(x)");
    assertThat(GitleaksRules.withoutLeadingContext("(?i)[\\w.-]{0,50}?(?:adafruit)x"))
        .isEqualTo("(?i)(?:adafruit)x");
    assertThat(GitleaksRules.withoutLeadingContext("\\bghp_[\\w.-]{0,50}?"))
        .isEqualTo("\\bghp_[\\w.-]{0,50}?");
    assertThat(
            GitleaksRules.startsWithKeyword(
                "\\b((?:hvs\\.[\\w-]{90}|s\\.(?i:[a-z]{24})))", List.of("hvs.", "s.")))
        .isTrue();
    assertThat(GitleaksRules.startsWithKeyword("\\b(pat[a-z]{14})", List.of("airtable"))).isFalse();
    assertThat(GitleaksRules.startsWithKeyword("(?:ab|cd)x", List.of("ab"))).isFalse();
    assertThat(GitleaksRules.startsWithKeyword("ey?x", List.of("ey"))).isFalse();
  }
}
