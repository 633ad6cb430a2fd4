package dev.claudetelemetry.policy.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudetelemetry.policy.paths.LexicalLinks;
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

  /** The input fields of a file tool that name paths: all the evaluation reads of its input. */
  static final List<String> PATH_FIELDS = List.of("file_path", "notebook_path", "path");

  final ToolCall call;
  final PathContext paths;
  final ShellAnalysis shell;
  private final PathNormalizer normalizer;
  private final Map<ShellCommand, List<PathUse>> shellPathUses = new IdentityHashMap<>();

  /** One per call: it remembers what it looked up, and links may change between calls. */
  private final SymlinkResolver symlinks;

  private List<PathUse> filePathUses;

  /** Links the command line creates itself, worked out on first use. */
  private LexicalLinks links;

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
    Optional<String> lexical = links().resolve(normalized);
    String path = lexical.orElse(normalized);
    if (symlinks == null) {
      return lexical;
    }
    Optional<String> real = symlinks.resolve(path, forWriting);
    return real.isPresent() ? real : lexical;
  }

  /**
   * {@code ln [-s] TARGET LINK}, {@code ln -s TARGET... DIR}, {@code ln -s TARGET} in any command
   * of the line. Order is not considered: a link made later in the line may already exist.
   */
  private LexicalLinks links() {
    if (links == null) {
      links = new LexicalLinks();
      if (shell != null) {
        for (ShellCommand command : shell.commands()) {
          if (command.name().equals("ln")) {
            addLinks(command);
          }
        }
      }
    }
    return links;
  }

  private void addLinks(ShellCommand ln) {
    String cwd = PathNormalizer.normalize(ln.cwd(), paths.cwd(), paths.home());
    List<String> operands = new ArrayList<>();
    String directory = null;
    List<String> args = ln.args();
    boolean options = true;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (options && arg.equals("--")) {
        options = false;
      } else if (options && (arg.equals("-t") || arg.equals("-S") || arg.equals("--suffix"))) {
        if (arg.equals("-t") && i + 1 < args.size()) {
          directory = args.get(i + 1);
        }
        i++;
      } else if (options && arg.startsWith("--target-directory=")) {
        directory = arg.substring("--target-directory=".length());
      } else if (!options || !arg.startsWith("-") || arg.equals("-")) {
        operands.add(arg);
      }
    }
    if (operands.isEmpty()) {
      return;
    }
    List<String> targets = operands;
    if (directory == null && operands.size() == 1) {
      directory = ".";
    } else if (directory == null && (operands.size() > 2 || operands.get(1).endsWith("/"))) {
      directory = operands.get(operands.size() - 1);
      targets = operands.subList(0, operands.size() - 1);
    } else if (directory == null) {
      link(cwd, operands.get(1), operands.get(0));
      return;
    }
    for (String target : targets) {
      String name = PathNormalizer.normalize(target, "/", paths.home());
      name = name.substring(name.lastIndexOf('/') + 1);
      link(cwd, directory + "/" + name, target);
    }
  }

  private void link(String cwd, String linkWord, String targetWord) {
    String link = PathNormalizer.normalize(linkWord, cwd, paths.home());
    // A relative target is relative to the directory the link is in, not to the command's.
    String parent = link.equals("/") ? "/" : link.substring(0, Math.max(1, link.lastIndexOf('/')));
    links.add(link, PathNormalizer.normalize(targetWord, parent, paths.home()));
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
