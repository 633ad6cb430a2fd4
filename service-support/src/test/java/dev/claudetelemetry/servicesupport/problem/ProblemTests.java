package dev.claudetelemetry.servicesupport.problem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProblemTests {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void shouldGiveEveryKindItsOwnTypeUri() {
    List<String> uris = Arrays.stream(ProblemType.values()).map(ProblemType::uri).toList();
    assertThat(uris).doesNotHaveDuplicates();
    for (ProblemType type : ProblemType.values()) {
      assertThat(type.slug()).as("%s", type).matches("[a-z]+(-[a-z]+)*");
      assertThat(type.uri()).isEqualTo("https://claude-telemetry.dev/problems/" + type.slug());
      assertThat(type.status()).as("%s", type).isBetween(400, 599);
    }
  }

  @Test
  void shouldSerialiseTheStandardMembersFirstAndExtensionsBesideThem() throws Exception {
    Problem problem =
        Problem.of(ProblemType.OFFSET_GAP, "resend from 12", Map.of("expectedOffset", 12));

    assertThat(JSON.writeValueAsString(problem))
        .isEqualTo(
            "{\"type\":\"https://claude-telemetry.dev/problems/offset-gap\",\"title\":\"Offset"
                + " gap\",\"status\":409,\"detail\":\"resend from 12\",\"expectedOffset\":12}");
  }

  @Test
  void shouldLeaveOutAMissingDetail() throws Exception {
    assertThat(JSON.readTree(JSON.writeValueAsString(Problem.of(ProblemType.NOT_FOUND, null))))
        .hasSize(3);
  }

  @Test
  void shouldRefuseAnExtensionThatWouldReplaceAStandardMember() {
    assertThatThrownBy(() -> Problem.of(ProblemType.BAD_REQUEST, "x", Map.of("status", 200)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldNameTheKindOfAStatusTheHttpLayerRaised() {
    assertThat(Problem.forStatus(413, "Request Entity Too Large", null).type())
        .isEqualTo(ProblemType.BODY_TOO_LARGE.uri());
    assertThat(Problem.forStatus(404, "Not Found", null).type())
        .isEqualTo(ProblemType.NOT_FOUND.uri());
    Problem teapot = Problem.forStatus(418, "I'm a teapot", null);
    assertThat(teapot.type()).isEqualTo("about:blank");
    assertThat(teapot.title()).isEqualTo("I'm a teapot");
  }

  @Test
  void shouldCarryTheKindAndDetailOfARefusal() {
    Problem problem =
        new ProblemException(ProblemType.INVALID_EVENTS, "1 of 2", Map.of("errors", List.of()))
            .problem();
    assertThat(problem.status()).isEqualTo(422);
    assertThat(problem.detail()).isEqualTo("1 of 2");
    assertThat(problem.extensions()).containsOnlyKeys("errors");
  }
}
