package dev.claudetelemetry.policy.rules;

import dev.claudetelemetry.policy.paths.PathContext;
import dev.claudetelemetry.policy.paths.PathNormalizer;
import dev.claudetelemetry.policy.shell.Redirect;
import dev.claudetelemetry.policy.shell.ShellCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The paths one shell command touches, and whether it reads or writes them. */
final class ShellPathUses {

  private static final Set<String> WRITES_EVERY_OPERAND =
      Set.of(
          "rm",
          "rmdir",
          "unlink",
          "mv",
          "touch",
          "truncate",
          "tee",
          "chmod",
          "chown",
          "chgrp",
          "shred",
          "mkdir",
          "wipefs",
          "mkfs",
          "chattr",
          "setfacl");
  private static final Set<String> WRITES_LAST_OPERAND =
      Set.of("cp", "install", "rsync", "scp", "ln");
  private static final Set<String> EDITORS =
      Set.of("vi", "vim", "nvim", "nano", "emacs", "ed", "code", "pico", "micro");
  private static final Set<String> OUTPUT_OPTIONS =
      Set.of("-o", "--output", "--output-document", "--target-directory", "-t");

  private ShellPathUses() {}

  static List<PathUse> of(ShellCommand command, CallFacts facts) {
    PathContext call = facts.paths;
    String cwd = PathNormalizer.normalize(command.cwd(), call.cwd(), call.home());
    PathContext context = new PathContext(cwd, call.home(), call.workspace());
    List<PathUse> uses = new ArrayList<>();
    String name = command.name();
    List<String> args = command.args();
    boolean inPlace =
        (name.equals("sed") || name.equals("perl"))
            && args.stream().anyMatch(a -> a.startsWith("-i") || a.equals("--in-place"));
    int lastOperand = -1;
    boolean options = true;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (options && arg.equals("--")) {
        options = false;
      } else if (!options || !arg.startsWith("-")) {
        lastOperand = i;
      }
    }
    options = true;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (options && arg.equals("--")) {
        options = false;
        continue;
      }
      Access access = Access.READ;
      if (EDITORS.contains(name)) {
        access = Access.READ_WRITE;
      } else if (WRITES_EVERY_OPERAND.contains(name) || name.startsWith("mkfs.") || inPlace) {
        access = Access.WRITE;
      } else if (WRITES_LAST_OPERAND.contains(name) && i == lastOperand) {
        access = Access.WRITE;
      } else if (i > 0 && OUTPUT_OPTIONS.contains(args.get(i - 1))) {
        access = Access.WRITE;
      }
      if (options && arg.startsWith("-")) {
        int equals = arg.indexOf('=');
        if (equals > 0) {
          boolean output = OUTPUT_OPTIONS.contains(arg.substring(0, equals));
          add(uses, arg.substring(equals + 1), output ? Access.WRITE : Access.READ, context, facts);
        }
        continue;
      }
      add(uses, arg, access, context, facts);
      int equals = arg.indexOf('=');
      if (equals > 0) {
        String key = arg.substring(0, equals);
        add(
            uses,
            arg.substring(equals + 1),
            key.equals("of") ? Access.WRITE : Access.READ,
            context,
            facts);
      }
    }
    for (Redirect redirect : command.redirects()) {
      add(
          uses,
          redirect.target(),
          redirect.writes() ? Access.WRITE : Access.READ,
          context,
          facts,
          false);
    }
    return uses;
  }

  private static void add(
      List<PathUse> uses, String word, Access access, PathContext context, CallFacts facts) {
    add(uses, word, access, context, facts, true);
  }

  private static void add(
      List<PathUse> uses,
      String word,
      Access access,
      PathContext context,
      CallFacts facts,
      boolean operand) {
    String path = word.startsWith("@") ? word.substring(1) : word;
    int at = path.indexOf("=@");
    if (at >= 0) {
      path = path.substring(at + 2);
    }
    if (path.isEmpty() || path.indexOf('\0') >= 0 || path.length() > 4096) {
      return;
    }
    uses.add(
        new PathUse(
            word,
            PathNormalizer.normalize(path, context.cwd(), context.home()),
            access,
            operand,
            facts));
  }
}
