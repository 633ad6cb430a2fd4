package dev.claudetelemetry.policy.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ShippedPolicyTest {

  @Test
  void shouldLoadWithEveryExamplePassing() {
    Policy policy = Policies.shipped();

    assertThat(policy.version()).isEqualTo("2026-12-07.1");
    assertThat(policy.mode()).isEqualTo(Policy.Mode.ENFORCE);
    assertThat(policy.sha256()).hasSize(64);
    assertThat(policy.rules())
        .extracting(Rule::id)
        .contains(
            "rm-recursive-outside-workspace",
            "secret-env-files",
            "guard-self-protection",
            "remote-script-execution",
            "git-push-force");
    assertThat(policy.rules())
        .allSatisfy(rule -> assertThat(rule.examples()).anyMatch(Example::expectMatch));
  }
}
