package dev.claudetelemetry.policy.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudetelemetry.policy.paths.PathContext;
import dev.claudetelemetry.policy.paths.PathNormalizer;
import dev.claudetelemetry.policy.paths.SymlinkResolver;
import dev.claudetelemetry.policy.shell.ShellAnalysis;
import dev.claudetelemetry.policy.shell.ShellCommand;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one tool call does, worked out once and shared by every rule: the shell commands it runs and
 * the paths it touches.
 */
final class CallFacts {

  private static final Map<String, Access> FILE_TOOLS =
      Map.of(
          "Read",
          Access.READ,
          "Grep",
          Access.READ,
          "Glob",
          Access.READ,
          "LS",
          Access.READ,
          "Write",
          Access.WRITE,
          "Edit",
          Access.WRITE,
          "MultiEdit",
          Access.WRITE,
          "NotebookEdit",
          Access.WRITE);
  private static final List<String> PATH_FIELDS = List.of("file_path", "notebook_path", "path");

  final ToolCall call;
  final PathContext paths;
  final ShellAnalysis shell;
  private final PathNormalizer normalizer;
  private final Map<ShellCommand, List<PathUse>> shellPathUses = new IdentityHashMap<>();

  /** One per call: it remembers what it looked up, and links may change between calls. */
  private final SymlinkResolver symlinks;

  private List<PathUse> filePathUses;

  CallFacts(ToolCall call, PathContext paths, ShellAnalysis shell, PathNormalizer normalizer) {
    this.call = call;
    this.paths = paths;
    this.shell = shell;
    this.normalizer = normalizer;
    this.symlinks = normalizer.newResolver();
  }

  boolean isShell() {
    return shell != null;
  }

  List<PathUse> pathUses(ShellCommand command) {
    return shellPathUses.computeIfAbsent(command, c -> ShellPathUses.of(c, this));
  }

  /**
   * Where {@code normalized} really leads if a symlink on this machine sends it elsewhere; for a
   * write, a dangling symlink leads to the target the write would create.
   */
  Optional<String> resolveSymlinks(String normalized, boolean forWriting) {
    return symlinks == null ? Optional.empty() : symlinks.resolve(normalized, forWriting);
  }

  /** The paths a file tool (Read, Write, Edit, ...) names in its input. */
  List<PathUse> filePathUses() {
    if (filePathUses == null) {
      List<PathUse> uses = new ArrayList<>();
      Access access = FILE_TOOLS.getOrDefault(call.tool(), Access.READ_WRITE);
      for (String field : PATH_FIELDS) {
        JsonNode value = call.input().get(field);
        if (value != null
            && value.isTextual()
            && !value.asText().isEmpty()
            && value.asText().length() <= 4096) {
          uses.add(
              new PathUse(
                  value.asText(), normalizer.normalize(value.asText(), paths), access, true, this));
        }
      }
      filePathUses = uses;
    }
    return filePathUses;
  }
}
