package dev.claudetelemetry.policy.suites;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.claudetelemetry.policy.rules.ToolCall;
import dev.claudetelemetry.policy.rules.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads policy test files ({@code policies/tests/*.yaml}): a mapping with {@code cases}, each case
 * a Bash command ({@code bash:}) or a tool call ({@code tool:} with {@code path:} or {@code
 * input:}), optional {@code cwd} and {@code home}, the verdict it must get ({@code expect:}) and
 * optionally the rule that must decide ({@code rule:}). Strict, because a misspelt key would
 * otherwise turn a case into a different one that passes: unknown keys, a missing {@code expect}
 * and wrong types are errors naming the file and the case. The files may come from anyone who can
 * open a pull request, so their size, count, nesting and YAML aliases are bounded.
 */
public final class PolicyTestReader {

  public static final String DEFAULT_CWD = "/home/claude-user/workspace";
  public static final String DEFAULT_HOME = "/home/claude-user";
  static final int MAX_FILE_BYTES = 2 * 1024 * 1024;
  static final int MAX_FILES = 1000;
  static final int MAX_CASES = 100_000;
  private static final int MAX_DEPTH = 4;
  private static final Set<String> CASE_KEYS =
      Set.of("bash", "tool", "path", "input", "cwd", "home", "expect", "rule");
  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder()
              .streamReadConstraints(
                  StreamReadConstraints.builder()
                      .maxNestingDepth(64)
                      .maxStringLength(MAX_FILE_BYTES)
                      .build())
              .build());

  private PolicyTestReader() {}

  /** Every case of a test file, or of every {@code .yaml}/{@code .yml} file below a directory. */
  public static List<PolicyTestCase> read(Path fileOrDirectory) throws PolicyTestFileException {
    List<Path> files = files(fileOrDirectory);
    List<PolicyTestCase> cases = new ArrayList<>();
    for (Path file : files) {
      Path base = Files.isDirectory(fileOrDirectory) ? fileOrDirectory : file.getParent();
      String name = base == null ? file.toString() : base.relativize(file).toString();
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new PolicyTestFileException(name + ": cannot read it (" + e.getMessage() + ")");
      }
      cases.addAll(parse(name, bytes));
      if (cases.size() > MAX_CASES) {
        throw new PolicyTestFileException(
            "more than " + MAX_CASES + " cases in all: split the suite");
      }
    }
    return cases;
  }

  static List<Path> files(Path fileOrDirectory) throws PolicyTestFileException {
    if (!Files.isDirectory(fileOrDirectory)) {
      if (!Files.isRegularFile(fileOrDirectory)) {
        throw new PolicyTestFileException(fileOrDirectory + ": no such file or directory");
      }
      return List.of(fileOrDirectory);
    }
    try (Stream<Path> walk = Files.walk(fileOrDirectory, MAX_DEPTH)) {
      List<Path> files =
          walk.filter(Files::isRegularFile)
              .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
              .sorted()
              .limit(MAX_FILES + 1L)
              .toList();
      if (files.size() > MAX_FILES) {
        throw new PolicyTestFileException(
            fileOrDirectory + ": more than " + MAX_FILES + " test files");
      }
      if (files.isEmpty()) {
        throw new PolicyTestFileException(fileOrDirectory + ": holds no .yaml test file");
      }
      return files;
    } catch (IOException e) {
      throw new PolicyTestFileException(
          fileOrDirectory + ": cannot list it (" + e.getMessage() + ")");
    }
  }

  /** The cases of one file's bytes; {@code name} is how failures will name it. */
  public static List<PolicyTestCase> parse(String name, byte[] bytes)
      throws PolicyTestFileException {
    if (bytes.length > MAX_FILE_BYTES) {
      throw new PolicyTestFileException(
          name + ": " + bytes.length + " bytes, more than the limit of " + MAX_FILE_BYTES);
    }
    JsonNode root;
    try {
      root = YAML.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new PolicyTestFileException(name + ": not valid YAML: " + e.getOriginalMessage());
    } catch (IOException | RuntimeException e) {
      // SnakeYAML reports its own limits (aliases, code points) as unchecked exceptions.
      throw new PolicyTestFileException(name + ": not readable YAML: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new PolicyTestFileException(name + ": a test file is a mapping with 'cases:'");
    }
    Iterator<String> keys = root.fieldNames();
    while (keys.hasNext()) {
      String key = keys.next();
      if (!key.equals("cases")) {
        throw new PolicyTestFileException(
            name + ": unknown key '" + clip(key) + "' (a test file holds only 'cases:')");
      }
    }
    JsonNode list = root.get("cases");
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw new PolicyTestFileException(name + ": 'cases' must be a non-empty list");
    }
    List<PolicyTestCase> cases = new ArrayList<>();
    int index = 0;
    for (JsonNode node : list) {
      cases.add(testCase(name + "#" + index++, node));
    }
    return cases;
  }

  private static PolicyTestCase testCase(String where, JsonNode node)
      throws PolicyTestFileException {
    if (!node.isObject()) {
      throw new PolicyTestFileException(where + ": a case is a mapping");
    }
    Iterator<String> keys = node.fieldNames();
    while (keys.hasNext()) {
      String key = keys.next();
      if (!CASE_KEYS.contains(key)) {
        throw new PolicyTestFileException(
            where
                + ": unknown key '"
                + clip(key)
                + "' (known: "
                + String.join(", ", sorted())
                + ")");
      }
    }
    String bash = text(where, node, "bash");
    String tool = text(where, node, "tool");
    String path = text(where, node, "path");
    JsonNode input = node.get("input");
    if ((bash == null) == (tool == null)) {
      throw new PolicyTestFileException(where + ": give either 'bash' or 'tool'");
    }
    if (bash != null && (path != null || input != null)) {
      throw new PolicyTestFileException(where + ": a 'bash' case has no 'path' or 'input'");
    }
    if (path != null && input != null) {
      throw new PolicyTestFileException(where + ": give 'path' or 'input', not both");
    }
    if (input != null && !input.isObject()) {
      throw new PolicyTestFileException(where + ": 'input' must be a mapping (the tool input)");
    }
    String cwd = absolute(where, node, "cwd", DEFAULT_CWD);
    String home = absolute(where, node, "home", DEFAULT_HOME);
    String expectText = text(where, node, "expect");
    if (expectText == null) {
      throw new PolicyTestFileException(where + ": 'expect' is missing (none, allow, ask or deny)");
    }
    Verdict expect;
    try {
      expect = Verdict.valueOf(expectText.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new PolicyTestFileException(
          where + ": 'expect' must be none, allow, ask or deny, not '" + clip(expectText) + "'");
    }
    String rule = text(where, node, "rule");
    ObjectNode toolInput;
    String label;
    if (bash != null) {
      tool = "Bash";
      toolInput = JsonNodeFactory.instance.objectNode().put("command", bash);
      label = bash;
    } else if (input != null) {
      toolInput = (ObjectNode) input;
      label = tool + " " + input;
    } else {
      toolInput = JsonNodeFactory.instance.objectNode();
      if (path != null) {
        toolInput.put(tool.equals("NotebookEdit") ? "notebook_path" : "file_path", path);
      }
      label = tool + (path == null ? "" : " " + path);
    }
    String transcript =
        home + "/.claude/projects/" + cwd.replace('/', '-').replace('.', '-') + "/tests.jsonl";
    ToolCall call = new ToolCall("PreToolUse", tool, toolInput, cwd, transcript, "default");
    return new PolicyTestCase(where, label.replace('\n', ' '), call, expect, rule);
  }

  private static String text(String where, JsonNode node, String key)
      throws PolicyTestFileException {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new PolicyTestFileException(where + ": '" + key + "' must be a string");
    }
    return value.textValue();
  }

  private static String absolute(String where, JsonNode node, String key, String fallback)
      throws PolicyTestFileException {
    String value = text(where, node, key);
    if (value == null) {
      return fallback;
    }
    if (!value.startsWith("/")) {
      throw new PolicyTestFileException(where + ": '" + key + "' must be an absolute path");
    }
    return value;
  }

  private static List<String> sorted() {
    return CASE_KEYS.stream().sorted().toList();
  }

  private static String clip(String value) {
    return value.length() <= 64 ? value : value.substring(0, 64) + "…";
  }
}
