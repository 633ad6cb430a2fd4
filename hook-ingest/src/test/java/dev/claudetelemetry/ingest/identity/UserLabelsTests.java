package dev.claudetelemetry.ingest.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UserLabelsTests {

  @ParameterizedTest(name = "[{0}] -> {1}")
  @CsvSource(
      nullValues = "NULL",
      value = {
        "alice, alice",
        "Alice, alice",
        "' bob.smith@example.com ', bob.smith@example.com",
        "a-b_c.d@e, a-b_c.d@e",
        "NULL, pod-default",
        "'', pod-default",
        "-leading-dash, invalid",
        "has space, invalid",
        "quote\", invalid",
        "ünïcode, invalid",
        "a00000000000000000000000000000000000000000000000000000000000000, a00000000000000000000000000000000000000000000000000000000000000",
        "a000000000000000000000000000000000000000000000000000000000000000, invalid"
      })
  void shouldValidateAndLowercase(String header, String label) {
    assertThat(new UserLabels("pod-default", null).forHeader(header)).isEqualTo(label);
  }

  @ParameterizedTest(name = "[{0}] -> {1}")
  @CsvSource(
      nullValues = "NULL",
      value = {
        "alice, alice",
        "ALICE, alice",
        "mallory, unknown",
        "NULL, bob",
        "bad name, invalid"
      })
  void shouldLimitLabelsToTheAllowlistWhenOneIsSet(String header, String label) {
    assertThat(new UserLabels("bob", Set.of("Alice", "bob")).forHeader(header)).isEqualTo(label);
  }
}
