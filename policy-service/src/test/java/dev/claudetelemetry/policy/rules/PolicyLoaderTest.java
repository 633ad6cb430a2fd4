package dev.claudetelemetry.policy.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class PolicyLoaderTest {

  static final String MINIMAL =
      """
            apiVersion: claude-telemetry.dev/v1
            kind: ClaudePolicy
            metadata: {name: test, version: "1"}
            mode: enforce
            rules:
              - id: no-curl
                description: no curl
                tools: [Bash]
                decision: deny
                message: No curl. Instead use the API client.
                match:
                  command: {names: [curl]}
                examples:
                  deny: [curl x]
                  allow: [wget x]
            """;

  static PolicyRefusedException refusal(String yaml) {
    return catchThrowableOfType(
        PolicyRefusedException.class,
        () -> Policies.loader().load(yaml.getBytes(StandardCharsets.UTF_8), "test"));
  }

  @Test
  void shouldLoadAMinimalPolicy() throws PolicyRefusedException {
    Policy policy = Policies.loader().load(MINIMAL.getBytes(StandardCharsets.UTF_8), "test");

    assertThat(policy.rules()).extracting(Rule::id).containsExactly("no-curl");
    assertThat(Policies.evaluator().evaluate(policy, Policies.bash("sudo curl x")).ruleId())
        .isEqualTo("no-curl");
  }

  @Test
  void shouldRefuseAFailingDenyExampleNamingTheRule() {
    PolicyRefusedException e = refusal(MINIMAL.replace("deny: [curl x]", "deny: [curl x, wget y]"));

    assertThat(e.problems())
        .containsExactly(
            "rule no-curl: example wget y should get deny from this rule but does not match it");
  }

  @Test
  void shouldRefuseAFailingAllowExampleNamingTheRule() {
    assertThat(
            refusal(MINIMAL.replace("allow: [wget x]", "allow: [wget x, 'curl -s y']")).problems())
        .containsExactly(
            "rule no-curl: example curl -s y is listed as one the rule must not match, but the rule matches it");
  }

  @Test
  void shouldRefuseSchemaErrors() {
    assertThat(refusal(MINIMAL.replace("decision: deny", "decision: maybe")).getMessage())
        .contains("schema")
        .contains("decision");
    assertThat(refusal(MINIMAL.replace("mode: enforce", "mode: enforce\nextra: 1")).getMessage())
        .contains("schema")
        .contains("extra");
    assertThat(refusal(MINIMAL.replace("version: \"1\"", "version: 1")).getMessage())
        .contains("schema")
        .contains("version");
    assertThat(
            refusal(
                    MINIMAL.replace(
                        "    examples:\n      deny: [curl x]\n      allow: [wget x]\n", ""))
                .getMessage())
        .contains("examples");
  }

  @Test
  void shouldRefuseUncompilableCelNamingTheRule() {
    PolicyRefusedException e =
        refusal(MINIMAL.replace("    examples:", "    when: \"argv.size() > 'x'\"\n    examples:"));

    assertThat(e.problems())
        .singleElement()
        .asString()
        .startsWith("rule no-curl: the when: expression does not compile");
  }

  @Test
  void shouldApplyCelConditions() throws PolicyRefusedException {
    String yaml =
        MINIMAL
            .replace(
                "    examples:", "    when: \"!argv.exists(a, a == '--version')\"\n    examples:")
            .replace("allow: [wget x]", "allow: [wget x, curl --version]");
    Policy policy = Policies.loader().load(yaml.getBytes(StandardCharsets.UTF_8), "test");

    assertThat(Policies.evaluator().evaluate(policy, Policies.bash("curl --version")).verdict())
        .isEqualTo(Verdict.NONE);
    assertThat(Policies.evaluator().evaluate(policy, Policies.bash("curl x")).verdict())
        .isEqualTo(Verdict.DENY);
  }

  @Test
  void shouldRefuseDuplicateIdsBadGlobsAndMisplacedExamples() {
    String duplicate = MINIMAL + MINIMAL.substring(MINIMAL.indexOf("  - id: no-curl"));
    assertThat(refusal(duplicate).problems()).contains("rule no-curl: the id is used twice");
    assertThat(
            refusal(MINIMAL.replace("command: {names: [curl]}", "paths: {globs: ['/a/{b']}"))
                .getMessage())
        .contains("rule no-curl")
        .contains("unbalanced");
    assertThat(refusal(MINIMAL.replace("deny: [curl x]", "ask: [curl x]")).getMessage())
        .contains(
            "rule no-curl: decides deny, so its matching examples belong under examples.deny");
  }

  @Test
  void shouldRefuseYamlThatIsNotAPolicy() {
    assertThat(refusal("just a string").getMessage()).contains("mapping");
    assertThat(refusal("a: [unclosed").getMessage()).contains("not valid YAML");
    assertThat(refusal("a: " + "x".repeat(PolicyLoader.MAX_POLICY_BYTES)).getMessage())
        .contains("limit");
  }

  @Test
  void shouldPublishASchemaThatAcceptsTheShippedPolicy() throws IOException {
    String schema =
        Files.readString(java.nio.file.Path.of("../policies/claude-policy.schema.json"));
    assertThat(schema).contains("\"ClaudePolicy\"");
    assertThat(new PolicySchema().violations(Files.readString(Policies.SHIPPED))).isEmpty();
  }
}
