package dev.claudetelemetry.policy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The option parsing every {@code check} subcommand shares, and its usage errors. */
class CommandOptionsTest {

  final ByteArrayOutputStream output = new ByteArrayOutputStream();
  final PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);

  @Test
  void shouldReadValuesAndSwitchesTheLastRepeatWinning() {
    CommandOptions options =
        CommandOptions.parse(
            List.of("--a", "1", "--on", "--b", "x", "--a", "2"),
            Set.of("--a", "--b", "--c"),
            Set.of("--on", "--off"));

    assertThat(options.problem()).isNull();
    assertThat(options.value("--a", "0")).isEqualTo("2");
    assertThat(options.value("--c", "fallback")).isEqualTo("fallback");
    assertThat(options.has("--on")).isTrue();
    assertThat(options.has("--off")).isFalse();
    assertThat(options.number("--a", 9, 1, 5)).isEqualTo(2);
    assertThat(options.number("--c", 9, 1, 5)).isEqualTo(9);
    assertThat(options.number("--b", 9, 1, 5)).isEqualTo(-1);
    assertThat(
            CommandOptions.parse(List.of("--a", "6"), Set.of("--a"), Set.of())
                .number("--a", 9, 1, 5))
        .isEqualTo(-1);
  }

  @Test
  void shouldNameAMissingValueBeforeAnUnknownOption() {
    assertThat(CommandOptions.parse(List.of("--x"), Set.of("--a"), Set.of()).problem())
        .isEqualTo("missing value for --x");
    assertThat(CommandOptions.parse(List.of("--x", "1"), Set.of("--a"), Set.of()).problem())
        .isEqualTo("unknown option --x");
    assertThat(CommandOptions.parse(List.of("--a"), Set.of("--a"), Set.of()).problem())
        .isEqualTo("missing value for --a");
  }

  @Test
  void shouldGiveEachCommandsUsageErrorsExitTwo() {
    PolicyCheckCommand check = new PolicyCheckCommand(out);
    assertThat(check.run(List.of("--bash", "ls", "--cwd"))).isEqualTo(2);
    assertThat(check.run(List.of("--bash", "ls", "--color", "no"))).isEqualTo(2);
    ReplayCommand replay = new ReplayCommand(out, Map.of());
    assertThat(replay.run(List.of("p.yaml", "--since", "7d", "--threads", "0"))).isEqualTo(2);
    assertThat(replay.run(List.of("p.yaml", "--since", "7d", "--examples", "101"))).isEqualTo(2);
    assertThat(replay.run(List.of("p.yaml", "--json", "--bogus", "1"))).isEqualTo(2);

    assertThat(output.toString(StandardCharsets.UTF_8))
        .contains("missing value for --cwd")
        .contains("unknown option --color")
        .contains("--threads takes 1 to 64")
        .contains("--examples takes 0 to 100")
        .contains("unknown option --bogus")
        .contains(ExplainCommand.USAGE)
        .contains(ReplayCommand.USAGE);
  }
}
