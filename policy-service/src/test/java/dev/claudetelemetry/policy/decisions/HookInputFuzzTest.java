package dev.claudetelemetry.policy.decisions;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Mutated recorded hook inputs and random JSON over HTTP, fixed seed and a bounded count: every
 * answer is a decision (200) that the evaluator reached without crashing, or a problem (4xx), never
 * a 5xx.
 */
@QuarkusTest
class HookInputFuzzTest {

  private static final String[] FRAGMENTS = {
    "{",
    "}",
    "[",
    "]",
    "\"",
    ",",
    ":",
    "null",
    "true",
    "1e999",
    "-0",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\"tool_name\"",
    "\"Bash\"",
    "\"tool_input\"",
    "{\"command\":\"rm -rf /\"}",
    "\"cwd\"",
    "\"/\"",
    "\\",
    "\u00e9",
    "\ufeff"
  };

  @Test
  void shouldAnswerEveryMutatedInputWithDecisionOrClientError() throws IOException {
    List<byte[]> seeds;
    try (Stream<Path> files = Files.list(DecisionResourceTest.HOOKS)) {
      seeds =
          files
              .filter(
                  f ->
                      f.getFileName().toString().matches("(PreToolUse|PermissionRequest).*\\.json"))
              .sorted()
              .map(
                  f -> {
                    try {
                      return Files.readAllBytes(f);
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  })
              .toList();
    }
    Random random = new Random(42);
    for (int i = 0; i < 300; i++) {
      byte[] body =
          i % 3 == 0
              ? randomJson(random).getBytes(java.nio.charset.StandardCharsets.UTF_8)
              : mutate(seeds.get(random.nextInt(seeds.size())), random);
      Response response = given().contentType(ContentType.JSON).body(body).post("/v1/decisions");
      int status = response.statusCode();
      assertThat(status)
          .as("status for body %s", new String(body, java.nio.charset.StandardCharsets.UTF_8))
          .isBetween(200, 499);
      if (status == 200) {
        String verdict = response.jsonPath().getString("policy.verdict");
        assertThat(verdict).isIn("none", "allow", "ask", "deny");
        // DecisionService turns an evaluator crash into a deny: over HTTP that is the only trace.
        assertThat(response.jsonPath().getString("policy.ruleId"))
            .as("rule for body %s", new String(body, java.nio.charset.StandardCharsets.UTF_8))
            .isNotEqualTo(DecisionService.EVALUATION_FAILED_RULE);
      } else {
        assertThat(status).isIn(400, 413);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.jsonPath().getString("detail")).isNotBlank();
      }
    }
  }

  private static byte[] mutate(byte[] seed, Random random) {
    byte[] out = seed.clone();
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits; e++) {
      int at = random.nextInt(out.length);
      switch (random.nextInt(3)) {
        case 0 -> out[at] = (byte) random.nextInt(256);
        case 1 -> {
          byte[] fragment =
              FRAGMENTS[random.nextInt(FRAGMENTS.length)].getBytes(
                  java.nio.charset.StandardCharsets.UTF_8);
          byte[] longer = new byte[out.length + fragment.length];
          System.arraycopy(out, 0, longer, 0, at);
          System.arraycopy(fragment, 0, longer, at, fragment.length);
          System.arraycopy(out, at, longer, at + fragment.length, out.length - at);
          out = longer;
        }
        default -> out = java.util.Arrays.copyOf(out, Math.max(1, at));
      }
    }
    return out;
  }

  private static String randomJson(Random random) {
    StringBuilder out = new StringBuilder("{\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"");
    int n = random.nextInt(20);
    for (int i = 0; i < n; i++) {
      out.append(FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
    }
    return out.append("\"}}").toString();
  }
}
