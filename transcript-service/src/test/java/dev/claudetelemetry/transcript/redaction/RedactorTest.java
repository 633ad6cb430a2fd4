package dev.claudetelemetry.transcript.redaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudetelemetry.testsupport.RepoPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Plain JUnit: every secret kind, JSON kept valid, and no false positives over ordinary code and
 * transcripts.
 */
class RedactorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Redactor redactor =
      new Redactor(Redactor.withExtras(Map.of("internal-ticket", "TICKET-SECRET-[0-9]{6}")));

  // Fake secrets, assembled so no scanner mistakes this file for a leak.
  private static final String ANTHROPIC =
      "sk-ant-" + "api03-" + "Xy7aB9cD1eF2gH3iJ4kL5mN6oP7qR8sT9uV0wX";
  private static final String OPENAI =
      "sk-" + "Xq7Lm2Rt9Vw4Zb8Nc3Kd" + "T3BlbkFJ" + "Hs5Pf1Jy6Ug0Ea2Oi7Wr";
  private static final String GITHUB = "ghp" + "_" + "16C7e42F292c6912E7710c838347Ae178B4a";
  private static final String GITHUB_PAT =
      "github_pat"
          + "_"
          + "11AQ7ZB3Y0k9Xw2Lm5Rt8Vc_"
          + "Hs5Pf1Jy6Ug0Ea2Oi7WrKd3Nb9Qx4Tz8Mv1Lc6Gp2Fj5Sh0Dk7Aw3Ye9Ru";
  private static final String GITLAB = "glpat" + "-" + "xYz123AbC456dEf789gHiJ";
  private static final String SLACK =
      "xoxb" + "-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx";
  private static final String AWS_ID = "AKIA" + "QYLPMN5HHHFPZAM2";
  private static final String AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY";
  private static final String JWT =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
          + ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ"
          + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
  private static final String GCP_KEY_ID = "1a2b3c4d5e6f7a8b9c0d" + "1e2f3a4b5c6d7e8f9a0b";
  private static final String PEM =
      "-----BEGIN RSA "
          + "PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy\n"
          + "abcdefghijklmnopqrstuvwxyz0123456789\n-----END RSA "
          + "PRIVATE KEY-----";

  static Stream<Arguments> secrets() {
    return Stream.of(
        Arguments.of(
            "anthropic-api-key",
            "export ANTHROPIC_BASE=1; curl -H 'x-api-key: " + ANTHROPIC + "'",
            ANTHROPIC),
        Arguments.of("openai-api-key", "client = OpenAI(api_key=\"" + OPENAI + "\")", OPENAI),
        Arguments.of(
            "github-pat", "git clone https://x:" + "@github.com/o/r # token " + GITHUB, GITHUB),
        Arguments.of("github-fine-grained-pat", "GH=" + GITHUB_PAT, GITHUB_PAT),
        Arguments.of("gitlab-pat", "PRIVATE-TOKEN: " + GITLAB, GITLAB),
        Arguments.of("slack-bot-token", "slack token " + SLACK + " in config", SLACK),
        Arguments.of(
            "slack-webhook-url",
            "webhook https://hooks.slack.com/services/"
                + "T0A1B2C3D/B0E4F5G6H/Xq7Lm2Rt9Vw4Zb8Nc3KdHs5P ok",
            "Xq7Lm2Rt9Vw4Zb8Nc3KdHs5P"),
        Arguments.of("aws-access-token", "aws_access_key_id = " + AWS_ID, AWS_ID),
        Arguments.of(
            "aws-secret-access-key",
            "[default]\naws_secret_access_key = " + AWS_SECRET + "\n",
            AWS_SECRET),
        Arguments.of(
            "aws-secret-access-key", "{\"SecretAccessKey\": \"" + AWS_SECRET + "\"}", AWS_SECRET),
        Arguments.of(
            "gcp-service-account-key",
            "{\"type\": \"service_account\", \"private_key_id\": \"" + GCP_KEY_ID + "\"}",
            GCP_KEY_ID),
        Arguments.of(
            "gcp-api-key", "key=AIza" + "SyBx7Qm2LpR4tVw9ZkE3nJ6cHd8Fg1aUoYi", "SyBx7Qm2LpR4"),
        Arguments.of("jwt", "Authorization: Bearer " + JWT, JWT),
        Arguments.of("private-key", "cat id_rsa\n" + PEM + "\ndone", "MIIEowIBAAKCAQEA"),
        Arguments.of("private-key", "truncated " + PEM.substring(0, 60), "MIIEowIBAAK"),
        Arguments.of(
            "url-password", "psql postgres://app:" + "s3cr3t-pw@db.internal:5432/app", "s3cr3t-pw"),
        Arguments.of(
            "dotenv-secret",
            "DATABASE_URL_HOST=db\nSTRIPE_SECRET_KEY=" + "rk_live_abc123\nDEBUG=true",
            "rk_live_abc123"),
        Arguments.of("dotenv-secret", "export DB_PASSWORD=" + "hunter2\n", "hunter2"),
        Arguments.of(
            "internal-ticket", "see TICKET-SECRET-" + "123456 for access", "TICKET-SECRET-123456"));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("secrets")
  void shouldRedactEveryKindAndSayWhichKind(String kind, String text, String secret) {
    Redaction redaction = redactor.redact(text);

    assertThat(redaction.text()).doesNotContain(secret).contains("[REDACTED:" + kind + "]");
    assertThat(redaction.counts()).containsKey(kind);
  }

  @Test
  void shouldKeepTheContextAroundAPartialSecret() {
    assertThat(redactor.redact("psql postgres://app:" + "pw123@db/app").text())
        .isEqualTo("psql postgres://app:[REDACTED:url-password]@db/app");
    assertThat(redactor.redact("A=1\nAPI_TOKEN=" + "abc\nB=2").text())
        .isEqualTo("A=1\nAPI_TOKEN=[REDACTED:dotenv-secret]\nB=2");
  }

  @Test
  void shouldRedactJsonValueByValueAndKeepTheDocumentValid() throws Exception {
    String line =
        "{\"type\":\"user\",\"message\":{\"content\":[{\"type\":\"tool_result\",\"content\":\""
            + "token "
            + GITHUB
            + "\\n"
            + PEM.replace("\n", "\\n")
            + "\"}]},\"n\":3,\"ok\":true}";
    JsonNode tree = JSON.readTree(line);
    Map<String, Integer> counts = redactor.redactInPlace(tree);

    JsonNode again = JSON.readTree(JSON.writeValueAsString(tree));
    assertThat(counts).containsEntry("github-pat", 1).containsEntry("private-key", 1);
    String content = again.at("/message/content/0/content").asText();
    assertThat(content).startsWith("token [REDACTED:github-pat]\n[REDACTED:private-key]");
    assertThat(again.get("n").asInt()).isEqualTo(3);
    assertThat(again.get("ok").asBoolean()).isTrue();
  }

  @Test
  void shouldRefuseAnExtraPatternThatIsNotARegexOrHasABadKind() {
    assertThatThrownBy(() -> Redactor.withExtras(Map.of("broken", "([a-z")))
        .hasMessageContaining("not a valid regex");
    assertThatThrownBy(() -> Redactor.withExtras(Map.of("Bad Kind", "x")))
        .hasMessageContaining("metric label");
  }

  @Test
  void shouldNotTouchOrdinaryCodeOrTheRecordedTranscripts() throws IOException {
    Path root = RepoPaths.root();
    List<Path> files = new ArrayList<>();
    for (String dir :
        List.of(
            "policy-service/src/main/java",
            "hook-ingest/src/main/java",
            "transcript-service/src/main/java",
            "test-support/src/main/java",
            "testdata/claude-code")) {
      Path base = root.resolve(dir);
      if (Files.isDirectory(base)) {
        try (Stream<Path> walk = Files.walk(base)) {
          walk.filter(Files::isRegularFile)
              .filter(
                  p ->
                      p.toString().endsWith(".java")
                          || p.toString().endsWith(".jsonl")
                          || p.toString().endsWith(".json")
                          || p.toString().endsWith(".md"))
              .forEach(files::add);
        }
      }
    }
    assertThat(files).hasSizeGreaterThan(50);
    Redactor builtInOnly = new Redactor(Redactor.withExtras(Map.of()));
    List<String> falsePositives = new ArrayList<>();
    for (Path file : files) {
      Redaction redaction = builtInOnly.redact(Files.readString(file));
      if (redaction.changed()) {
        falsePositives.add(root.relativize(file) + " " + redaction.counts());
      }
    }
    assertThat(falsePositives).isEmpty();
  }
}
