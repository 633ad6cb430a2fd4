package dev.claudetelemetry.policy.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shipped policy against test cases re-labelled from peer guard projects (corpus/peers/, each
 * file naming its source, commit and licence): what share of the must-block cases it blocks (deny
 * or ask) and what share of the benign ones it wrongly blocks. Prints both rates and every miss.
 */
class PeerCorpusTest {

  static final Path PEERS = Path.of("src/test/resources/corpus/peers");
  static final double MIN_BLOCKED = 0.97;
  static final double MAX_WRONGLY_BLOCKED = 0.01;

  record PeerCase(String file, String from, String command, boolean mustBlock) {}

  static List<PeerCase> cases() throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    List<PeerCase> cases = new ArrayList<>();
    try (Stream<Path> files = Files.list(PEERS)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        for (JsonNode node : yaml.readTree(file.toFile()).path("cases")) {
          String expect = node.path("expect").asText();
          assertThat(expect).as("expect of %s", node).isIn("block", "benign");
          cases.add(
              new PeerCase(
                  file.getFileName().toString(),
                  node.path("from").asText(),
                  node.path("bash").asText(),
                  expect.equals("block")));
        }
      }
    }
    return cases;
  }

  @Test
  void shouldBlockWhatPeersBlockAndLeaveTheirBenignCasesAlone() throws IOException {
    Policy policy = Policies.shipped();
    PolicyEvaluator evaluator = Policies.evaluator();
    List<PeerCase> cases = cases();
    int mustBlock = 0;
    int blocked = 0;
    int benign = 0;
    int wronglyBlocked = 0;
    List<String> misses = new ArrayList<>();
    for (PeerCase c : cases) {
      Decision decision = evaluator.evaluate(policy, Policies.bash(c.command()));
      boolean blocks = decision.verdict() == Verdict.DENY || decision.verdict() == Verdict.ASK;
      if (c.mustBlock()) {
        mustBlock++;
        blocked += blocks ? 1 : 0;
        if (!blocks) {
          misses.add("NOT BLOCKED  " + c.file() + " " + c.from() + "  " + oneLine(c.command()));
        }
      } else {
        benign++;
        wronglyBlocked += blocks ? 1 : 0;
        if (blocks) {
          misses.add(
              "WRONG BLOCK  "
                  + c.file()
                  + " "
                  + c.from()
                  + "  "
                  + oneLine(c.command())
                  + "  ("
                  + decision.ruleId()
                  + ")");
        }
      }
    }
    double blockRate = (double) blocked / mustBlock;
    double wrongRate = (double) wronglyBlocked / benign;
    System.out.printf(
        Locale.ROOT,
        "Peer corpus: blocked %d of %d must-block cases (%.1f%%), wrongly blocked %d of %d benign"
            + " cases (%.1f%%)%n",
        blocked,
        mustBlock,
        100 * blockRate,
        wronglyBlocked,
        benign,
        100 * wrongRate);
    misses.forEach(System.out::println);

    assertThat(mustBlock).as("must-block cases").isGreaterThan(100);
    assertThat(benign).as("benign cases").isGreaterThan(100);
    assertThat(blockRate)
        .as("share of must-block cases blocked")
        .isGreaterThanOrEqualTo(MIN_BLOCKED);
    assertThat(wrongRate)
        .as("share of benign cases blocked")
        .isLessThanOrEqualTo(MAX_WRONGLY_BLOCKED);
  }

  private static String oneLine(String command) {
    return command.replace("\n", "\\n");
  }
}
