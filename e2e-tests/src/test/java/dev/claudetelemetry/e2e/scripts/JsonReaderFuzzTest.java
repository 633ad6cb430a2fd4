package dev.claudetelemetry.e2e.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudetelemetry.testsupport.RepoPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The hook client's JSON reader (hook-client/src/json.h) against JSON.parse, and the guard's
 * reading of hook-ingest's answer (decision.h) against Jackson, on random documents: valid ones,
 * and valid ones with bytes inserted, removed or replaced. The harness hook-client builds
 * (target/json-check) runs the same C code under AddressSanitizer and UndefinedBehaviorSanitizer,
 * so a read past a buffer fails the test as well as a wrong verdict.
 */
class JsonReaderFuzzTest {
  private static final ObjectMapper STRICT =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final Path HARNESS = RepoPaths.root().resolve("hook-client/target/json-check");
  private static final String[] PIECES = {
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "\\u",
    "\\n",
    "\\x",
    "0",
    "-",
    "1",
    "01",
    "1.5",
    "1e",
    "2E-3",
    ".",
    "true",
    "tru",
    "null",
    "false",
    " ",
    "\n",
    "\t",
    "\u0001",
    "é",
    "☃",
    "😀",
    "\u007f",
    "a",
    "\"k\"",
    "\"hookSpecificOutput\"",
  };

  @Test
  void shouldAcceptExactlyTheDocumentsJacksonAccepts() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    List<byte[]> cases = new ArrayList<>();
    for (String fixed :
        List.of("", " ", "{}", "[]", "\"\\ud800\"", "-0", "1.", "[1,]", "{\"a\"}")) {
      cases.add(fixed.getBytes(StandardCharsets.UTF_8));
    }
    cases.add(new byte[] {'"', (byte) 0x80, '"'});
    cases.add(new byte[] {'"', (byte) 0xc3, '"'});
    cases.add(new byte[] {'"', (byte) 0xff, '"'});
    cases.add("[".repeat(65).concat("]".repeat(65)).getBytes(StandardCharsets.UTF_8));
    while (cases.size() < 4000) {
      String document = value(random, 0);
      cases.add(mutate(random, document).getBytes(StandardCharsets.UTF_8));
    }
    List<String> verdicts = harness("valid", cases);
    List<String> node = nodeVerdicts(cases);
    int accepted = 0;
    for (int i = 0; i < cases.size(); i++) {
      // 65 levels is past the client's depth limit; JSON.parse has none that low.
      boolean tooDeep = new String(cases.get(i), StandardCharsets.UTF_8).startsWith("[".repeat(65));
      String expected = tooDeep ? "0" : node.get(i);
      assertThat(verdicts.get(i))
          .as("seed %d, document %s", seed, new String(cases.get(i), StandardCharsets.UTF_8))
          .isEqualTo(expected);
      accepted += expected.equals("1") ? 1 : 0;
    }
    assertThat(accepted).as("valid documents among the cases").isBetween(500, cases.size() - 500);
  }

  @Test
  void shouldPassOnOnlyWellFormedDecisionsWithTheirMeaning() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    String[] events = {
      "\"PreToolUse\"", "\"PreToolUse\"", "\"PreToolUse\"", "\"PostToolUse\"", "1"
    };
    String[] verdicts = {"\"allow\"", "\"deny\"", "\"ask\"", "\"maybe\"", "true"};
    String[] reasons = {
      null,
      "null",
      "false",
      "42",
      "\"\"",
      "\"plain\"",
      "\"a \\\"q\\\" \\u00e9 \\n\"",
      "[]",
      "\"a \"quote\"",
      "\"tab\there\"",
      "\"bad \\x escape\""
    };
    List<byte[]> cases = new ArrayList<>(List.of("{}".getBytes(), " {\n} ".getBytes()));
    while (cases.size() < 2000) {
      StringBuilder inner = new StringBuilder("{");
      List<String> members = new ArrayList<>();
      if (random.nextInt(8) > 0) {
        members.add("\"hookEventName\":" + events[random.nextInt(events.length)]);
      }
      if (random.nextInt(8) > 0) {
        members.add("\"permissionDecision\":" + verdicts[random.nextInt(verdicts.length)]);
      }
      String reason = reasons[random.nextInt(reasons.length)];
      if (reason != null) {
        members.add("\"permissionDecisionReason\":" + reason);
      }
      if (random.nextBoolean()) {
        members.add("\"extra\":{\"x\":[1,2]}");
      }
      java.util.Collections.shuffle(members, random);
      inner.append(String.join(",", members)).append('}');
      String document =
          random.nextInt(10) == 0
              ? inner.toString()
              : "{\"hookSpecificOutput\":"
                  + inner
                  + (random.nextBoolean() ? ",\"policy\":{}" : "")
                  + "}";
      if (random.nextInt(5) == 0) {
        document = mutate(random, document);
      }
      cases.add(document.getBytes(StandardCharsets.UTF_8));
    }
    List<String> answers = harness("decision", cases);
    int given = 0;
    for (int i = 0; i < cases.size(); i++) {
      String expected = expectedDecision(cases.get(i));
      String actual = answers.get(i);
      var description =
          "seed " + seed + ", answer " + new String(cases.get(i), StandardCharsets.UTF_8);
      if (expected.startsWith("{")) {
        assertThat(actual).as(description).startsWith("GIVEN ");
        assertThat(STRICT.readTree(actual.substring(6)))
            .as(description)
            .isEqualTo(STRICT.readTree(expected));
        given++;
      } else {
        assertThat(actual).as(description).isEqualTo(expected);
      }
    }
    assertThat(given).as("decisions passed on").isBetween(100, cases.size() - 100);
  }

  /** What the guard must print for hook-ingest's body, as Claude Code would read it. */
  private static String expectedDecision(byte[] body) {
    JsonNode root;
    try {
      root = STRICT.readTree(body);
    } catch (IOException e) {
      return "INVALID";
    }
    if (root == null || !root.isObject()) {
      return "INVALID";
    }
    if (root.isEmpty()) {
      return "NONE";
    }
    JsonNode hso = root.get("hookSpecificOutput");
    if (hso == null || !hso.isObject()) {
      return "INVALID";
    }
    JsonNode event = hso.get("hookEventName");
    JsonNode verdict = hso.get("permissionDecision");
    JsonNode reason = hso.get("permissionDecisionReason");
    if (event == null || !event.isTextual() || !event.asText().equals("PreToolUse")) {
      return "INVALID";
    }
    if (verdict == null
        || !verdict.isTextual()
        || !List.of("allow", "deny", "ask").contains(verdict.asText())) {
      return "INVALID";
    }
    ObjectNode out = STRICT.createObjectNode();
    ObjectNode inner = out.putObject("hookSpecificOutput");
    inner.put("hookEventName", "PreToolUse").put("permissionDecision", verdict.asText());
    if (reason != null && reason.isTextual()) {
      inner.put("permissionDecisionReason", reason.asText());
    } else if (reason != null && !reason.isNull() && !(reason.isBoolean() && !reason.asBoolean())) {
      return "INVALID";
    }
    return out.toString();
  }

  /**
   * JSON.parse's verdict (Claude Code is Node) on each document decoded as strict UTF-8: 1 or 0.
   * Jackson is no oracle for validity: it refuses a lone surrogate escape in a member name, which
   * JSON.parse and RFC 8259's grammar accept.
   */
  private static List<String> nodeVerdicts(List<byte[]> cases) throws Exception {
    String script =
        String.join(
            "\n",
            "const lines = require('fs').readFileSync(0, 'latin1').split('\\n');",
            "const utf8 = new TextDecoder('utf-8', {fatal: true});",
            "const out = [];",
            "for (const line of lines.slice(0, -1)) {",
            "  try { JSON.parse(utf8.decode(Buffer.from(line, 'hex'))); out.push('1'); }",
            "  catch (e) { out.push('0'); }",
            "}",
            "process.stdout.write(out.join('\\n') + '\\n');");
    return lines(new ProcessBuilder("node", "-e", script), cases);
  }

  private static String value(Random random, int depth) {
    int kind = random.nextInt(depth > 4 ? 4 : 7);
    switch (kind) {
      case 0:
        return List.of("0", "-1", "12.5e-3", "3E+2", "-0.0").get(random.nextInt(5));
      case 1:
        return List.of("true", "false", "null").get(random.nextInt(3));
      case 2:
      case 3:
        return string(random);
      case 4:
      case 5:
        {
          List<String> members = new ArrayList<>();
          for (int i = random.nextInt(4); i > 0; i--) {
            members.add(
                string(random) + (random.nextBoolean() ? ":" : " : ") + value(random, depth + 1));
          }
          return "{" + String.join(",", members) + "}";
        }
      default:
        {
          List<String> items = new ArrayList<>();
          for (int i = random.nextInt(4); i > 0; i--) {
            items.add(value(random, depth + 1));
          }
          return "[" + String.join(", ", items) + "]";
        }
    }
  }

  /**
   * Random strings hold no lone surrogate escape: JSON.parse and this client accept one anywhere,
   * Jackson not in a member name. The fixed cases hold one in a value.
   */
  private static String string(Random random) {
    String[] parts = {
      "a", "é", "😀", "\\\"", "\\\\", "\\/", "\\n", "\\u00e9", "\\ud83d\\ude00", " "
    };
    StringBuilder s = new StringBuilder("\"");
    for (int i = random.nextInt(5); i > 0; i--) {
      s.append(parts[random.nextInt(parts.length)]);
    }
    return s.append('"').toString();
  }

  private static String mutate(Random random, String document) {
    if (random.nextInt(3) == 0) {
      return document;
    }
    StringBuilder s = new StringBuilder(document);
    for (int edits = 1 + random.nextInt(2); edits > 0; edits--) {
      int at = s.isEmpty() ? 0 : random.nextInt(s.length());
      switch (random.nextInt(3)) {
        case 0 -> s.insert(at, PIECES[random.nextInt(PIECES.length)]);
        case 1 -> {
          if (!s.isEmpty() && !Character.isSurrogate(s.charAt(at))) {
            s.deleteCharAt(at);
          }
        }
        default -> {
          if (!s.isEmpty() && !Character.isSurrogate(s.charAt(at))) {
            s.replace(at, at + 1, PIECES[random.nextInt(PIECES.length)]);
          }
        }
      }
    }
    return s.toString();
  }

  private static List<String> harness(String mode, List<byte[]> cases) throws Exception {
    assertThat(HARNESS).as("built by hook-client (mvn package)").isExecutable();
    return lines(new ProcessBuilder(HARNESS.toString(), mode), cases);
  }

  /** Runs {@code builder} with the cases in hex, one a line; its output lines, one per case. */
  private static List<String> lines(ProcessBuilder builder, List<byte[]> cases) throws Exception {
    StringBuilder input = new StringBuilder();
    for (byte[] c : cases) {
      input.append(HexFormat.of().formatHex(c)).append('\n');
    }
    Process process = builder.redirectErrorStream(true).start();
    Thread writer =
        new Thread(
            () -> {
              try (var stdin = process.getOutputStream()) {
                stdin.write(input.toString().getBytes(StandardCharsets.US_ASCII));
              } catch (IOException ignored) {
                // the harness died; its output says why
              }
            });
    writer.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    writer.join();
    List<String> lines = output.lines().toList();
    assertThat(lines).hasSize(cases.size());
    return lines;
  }
}
