package dev.claudetelemetry.ingest.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The hook inputs recorded from the real Claude Code CLI (testdata/claude-code/hooks). */
public final class Fixtures {

  public static final Path HOOKS = Path.of("../testdata/claude-code/hooks");
  private static final ObjectMapper JSON = new ObjectMapper();

  private Fixtures() {}

  /**
   * Every recorded hook input; {@code http-hook-request.json} wraps one in headers, so its body is
   * used.
   */
  public static List<Path> all() {
    try (Stream<Path> files = Files.list(HOOKS)) {
      return files.filter(file -> file.toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ObjectNode hookInput(Path file) {
    try {
      JsonNode root = JSON.readTree(file.toFile());
      return (ObjectNode) (root.has("hook_event_name") ? root : root.get("body"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every recorded hook input as bytes: the seed corpus for fuzzing. */
  public static List<byte[]> corpus() {
    return all().stream()
        .map(file -> hookInput(file).toString().getBytes(StandardCharsets.UTF_8))
        .toList();
  }

  public static ObjectNode hookInput(String name) {
    return hookInput(HOOKS.resolve(name));
  }

  /** A PreToolUse Bash input with its own session, tool_use_id and command. */
  public static ObjectNode bash(String event, String session, String toolUseId, String command) {
    ObjectNode input = hookInput(event + "-Bash.json");
    input.put("session_id", session).put("tool_use_id", toolUseId);
    input.with("tool_input").put("command", command);
    return input;
  }
}
