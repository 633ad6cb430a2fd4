package dev.claudetelemetry.policy.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How an MCP tool call ({@code mcp__<server>__<tool>}) is judged with the rules written for the
 * built-in tools: an argument that holds a shell command is judged as a {@code Bash} call of it; an
 * argument that holds a path as a {@code Read} of it when the tool's name says it reads, a {@code
 * Write} when it says it writes, and as both otherwise. Only top-level string arguments (and arrays
 * of strings) count; {@code file://} URIs are paths.
 */
final class McpViews {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_VIEWS = 32;

  private static final Set<String> COMMAND_KEYS =
      Set.of(
          "command",
          "cmd",
          "script",
          "shell",
          "bash",
          "shell_command",
          "commandline",
          "command_line");
  private static final Set<String> PATH_KEYS =
      Set.of(
          "path",
          "paths",
          "file_path",
          "filepath",
          "file",
          "files",
          "filename",
          "source",
          "source_path",
          "destination",
          "destination_path",
          "dest",
          "target",
          "target_path",
          "directory",
          "dir",
          "notebook_path",
          "uri",
          "from",
          "to",
          "old_path",
          "new_path");
  private static final List<String> WRITE_WORDS =
      List.of(
          "write",
          "edit",
          "create",
          "delete",
          "remove",
          "move",
          "rename",
          "copy",
          "put",
          "save",
          "upload",
          "append",
          "patch",
          "update",
          "mkdir",
          "set",
          "insert",
          "replace",
          "truncate");
  private static final List<String> READ_WORDS =
      List.of(
          "read",
          "get",
          "list",
          "search",
          "view",
          "cat",
          "show",
          "open",
          "fetch",
          "find",
          "grep",
          "stat",
          "info",
          "tree",
          "download",
          "head",
          "tail");

  /**
   * @param label how the view is named in reasons, e.g. {@code Read of /etc/passwd}
   */
  record View(String label, ToolCall call) {}

  private McpViews() {}

  static boolean isMcp(String tool) {
    return tool.startsWith("mcp__");
  }

  static List<View> of(ToolCall call) {
    String action =
        call.tool().substring(call.tool().lastIndexOf("__") + 2).toLowerCase(Locale.ROOT);
    boolean writes = WRITE_WORDS.stream().anyMatch(action::contains);
    boolean reads = READ_WORDS.stream().anyMatch(action::contains);
    List<View> views = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> fields = call.input().fields();
    while (fields.hasNext() && views.size() < MAX_VIEWS) {
      Map.Entry<String, JsonNode> field = fields.next();
      String key = field.getKey().toLowerCase(Locale.ROOT).replace("-", "_");
      String plainKey = key.replace("_", "");
      for (String value : strings(field.getValue())) {
        if (COMMAND_KEYS.contains(key) || COMMAND_KEYS.contains(plainKey)) {
          views.add(view("Bash", "command", value, call));
        } else if (PATH_KEYS.contains(key) || PATH_KEYS.contains(plainKey)) {
          String path = value.startsWith("file://") ? value.substring("file://".length()) : value;
          if (path.isEmpty() || path.contains("://")) {
            continue;
          }
          if (writes || !reads) {
            views.add(view("Write", "file_path", path, call));
          }
          if (reads || !writes) {
            views.add(view("Read", "file_path", path, call));
          }
        }
      }
    }
    return views;
  }

  private static View view(String tool, String field, String value, ToolCall call) {
    ObjectNode input = JSON.createObjectNode().put(field, value);
    return new View(
        tool + " of " + PolicyEvaluator.quoted(value),
        new ToolCall(
            call.event(), tool, input, call.cwd(), call.transcriptPath(), call.permissionMode()));
  }

  private static List<String> strings(JsonNode value) {
    if (value.isTextual()) {
      return List.of(value.asText());
    }
    List<String> values = new ArrayList<>();
    if (value.isArray()) {
      value.forEach(
          element -> {
            if (element.isTextual() && values.size() < MAX_VIEWS) {
              values.add(element.asText());
            }
          });
    }
    return values;
  }
}
