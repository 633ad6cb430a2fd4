package dev.claudetelemetry.policy.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Knows the commands that run other commands: privilege and environment wrappers, shells given a
 * string, and {@code find -exec}. Each wrapper is peeled off so the command it runs is judged by
 * its real argv.
 */
final class Wrappers {

  static final Set<String> SHELLS =
      Set.of("bash", "sh", "zsh", "dash", "ksh", "ash", "mksh", "rbash", "fish", "busybox-sh");

  private static final Set<String> SIMPLE_PREFIXES =
      Set.of("nohup", "builtin", "time", "unbuffer", "caffeinate");

  private static final Pattern ASSIGNMENT =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*=.*", Pattern.DOTALL);

  /** {@code -c} alone or among other single-letter options: {@code -lc}, {@code -ec}. */
  private static final Pattern SHELL_COMMAND_OPTION = Pattern.compile("-[a-zA-Z]*c[a-zA-Z]*");

  /** {@code -s} among other single-letter options: {@code -is}, {@code -ls}. */
  private static final Pattern SHELL_STDIN_OPTION = Pattern.compile("-[a-zA-Z]*s[a-zA-Z]*");

  private static final String SSH_OPTIONS_WITH_VALUE = "BbcDEeFIiJLlmOoPpQRSWw";

  private static final Set<String> PARALLEL_OPTIONS_WITH_VALUE =
      Set.of(
          "-j",
          "-P",
          "-n",
          "-N",
          "-L",
          "-S",
          "-a",
          "-d",
          "-C",
          "--jobs",
          "--delay",
          "--timeout",
          "--joblog",
          "--results",
          "--arg-file",
          "--colsep",
          "--tmpdir",
          "--sshlogin");

  private static final Set<String> FIND_ACTIONS =
      Set.of(
          "-exec", "-execdir", "-ok", "-okdir", "-delete", "-print", "-print0", "-ls", "-fprint");

  /** Options and tests of find that do not narrow which files it reaches. */
  private static final Set<String> FIND_NON_FILTERS =
      Set.of(
          "-depth",
          "-d",
          "-maxdepth",
          "-mindepth",
          "-xdev",
          "-mount",
          "-noleaf",
          "-follow",
          "-ignore_readdir_race",
          "-daystart",
          "-warn",
          "-nowarn",
          "-type",
          "-xtype",
          "-true");

  private Wrappers() {}

  static Optional<Unwrapping> unwrap(List<String> argv) {
    if (argv.isEmpty()) {
      return Optional.empty();
    }
    String name = ShellCommand.baseName(argv.get(0));
    if (SIMPLE_PREFIXES.contains(name)) {
      return rest(argv, skipOptions(argv, 1, Set.of()));
    }
    if (SHELLS.contains(name)) {
      return shellString(argv);
    }
    return switch (name) {
      case "sudo", "doas" ->
          rest(
              argv,
              skipAssignments(
                  argv,
                  skipOptions(
                      argv,
                      1,
                      Set.of(
                          "-u",
                          "-g",
                          "-C",
                          "-D",
                          "-h",
                          "-p",
                          "-r",
                          "-t",
                          "-U",
                          "-T",
                          "--user",
                          "--group",
                          "--chdir",
                          "--prompt",
                          "--role",
                          "--type",
                          "--other-user",
                          "--host",
                          "--close-from"))));
      case "env" -> env(argv);
      case "nice" -> rest(argv, skipOptions(argv, 1, Set.of("-n", "--adjustment")));
      case "ionice" ->
          rest(
              argv,
              skipOptions(argv, 1, Set.of("-c", "-n", "-p", "-P", "-u", "--class", "--classdata")));
      case "setsid", "chronic" -> rest(argv, skipOptions(argv, 1, Set.of()));
      case "stdbuf" -> rest(argv, skipOptions(argv, 1, Set.of("-i", "-o", "-e")));
      case "timeout" -> {
        int i = skipOptions(argv, 1, Set.of("-s", "-k", "--signal", "--kill-after"));
        yield rest(argv, i + 1);
      }
      case "command" ->
          argv.contains("-v") || argv.contains("-V")
              ? Optional.empty()
              : rest(argv, skipOptions(argv, 1, Set.of()));
      case "exec" -> rest(argv, skipOptions(argv, 1, Set.of("-a")));
      case "xargs" ->
          rest(
              argv,
              skipOptions(
                  argv,
                  1,
                  Set.of(
                      "-a",
                      "-d",
                      "-E",
                      "-I",
                      "-L",
                      "-n",
                      "-P",
                      "-s",
                      "--arg-file",
                      "--delimiter",
                      "--eof",
                      "-J",
                      "--max-lines",
                      "--max-args",
                      "--max-procs",
                      "--max-chars",
                      "--process-slot-var")));
      case "chroot" -> rest(argv, skipOptions(argv, 1, Set.of("--userspec", "--groups")) + 1);
      case "busybox" -> rest(argv, 1);
      case "eval" ->
          argv.size() > 1
              ? Optional.of(new Unwrapping.Script(String.join(" ", argv.subList(1, argv.size()))))
              : Optional.empty();
      case "su", "runuser" ->
          optionValue(argv, "-c", "--command")
              .map(Unwrapping.Script::new)
              .map(Unwrapping.class::cast)
              .or(() -> afterDoubleDash(argv));
      case "watch" -> {
        int i = skipOptions(argv, 1, Set.of("-n", "--interval", "-d", "--differences"));
        yield i < argv.size()
            ? Optional.of(new Unwrapping.Script(String.join(" ", argv.subList(i, argv.size()))))
            : Optional.empty();
      }
      case "flock" ->
          optionValue(argv, "-c", "--command")
              .map(Unwrapping.Script::new)
              .map(Unwrapping.class::cast)
              .or(
                  () ->
                      rest(
                          argv,
                          skipOptions(
                                  argv, 1, Set.of("-w", "--timeout", "-E", "--conflict-exit-code"))
                              + 1));
      case "find" -> findExec(argv);
      case "script" -> scriptCommand(argv);
      case "ssh" -> ssh(argv);
      case "parallel" -> parallel(argv);
      default -> Optional.empty();
    };
  }

  private static Optional<Unwrapping> rest(List<String> argv, int from) {
    if (from <= 0 || from >= argv.size()) {
      return Optional.empty();
    }
    return Optional.of(new Unwrapping.Command(from, argv.subList(from, argv.size())));
  }

  /**
   * Index of the first word that is not an option; options in {@code withValue} consume the next
   * word.
   */
  private static int skipOptions(List<String> argv, int from, Set<String> withValue) {
    int i = from;
    while (i < argv.size()) {
      String word = argv.get(i);
      if (word.equals("--")) {
        return i + 1;
      }
      if (!word.startsWith("-") || word.equals("-")) {
        return i;
      }
      i += withValue.contains(word) ? 2 : 1;
    }
    return i;
  }

  private static int skipAssignments(List<String> argv, int from) {
    int i = from;
    while (i < argv.size() && ASSIGNMENT.matcher(argv.get(i)).matches()) {
      i++;
    }
    return i;
  }

  private static Optional<Unwrapping> env(List<String> argv) {
    int i = 1;
    while (i < argv.size()) {
      String word = argv.get(i);
      if (word.equals("-S") || word.equals("--split-string")) {
        return i + 1 < argv.size()
            ? Optional.of(new Unwrapping.Script(String.join(" ", argv.subList(i + 1, argv.size()))))
            : Optional.empty();
      }
      if (word.startsWith("--split-string=")) {
        List<String> tail = new ArrayList<>();
        tail.add(word.substring("--split-string=".length()));
        tail.addAll(argv.subList(i + 1, argv.size()));
        return Optional.of(new Unwrapping.Script(String.join(" ", tail)));
      }
      if (word.equals("--")) {
        i++;
        break;
      }
      if (word.equals("-u")
          || word.equals("--unset")
          || word.equals("-C")
          || word.equals("--chdir")) {
        i += 2;
      } else if (word.startsWith("-") && !word.equals("-")) {
        i++;
      } else {
        break;
      }
    }
    return rest(argv, skipAssignments(argv, i));
  }

  /** {@code bash -c 'string'}, also spelled {@code -lc}, {@code -ec}, {@code -o pipefail -c}. */
  private static Optional<Unwrapping> shellString(List<String> argv) {
    boolean command = false;
    for (int i = 1; i < argv.size(); i++) {
      String word = argv.get(i);
      if (command && !word.startsWith("-")) {
        return Optional.of(new Unwrapping.Script(word));
      }
      if (word.equals("-o") || word.equals("+o") || word.equals("-O") || word.equals("+O")) {
        i++;
      } else if (SHELL_COMMAND_OPTION.matcher(word).matches()) {
        command = true;
      } else if (word.equals("--")) {
        continue;
      } else if (!word.startsWith("-") && !word.startsWith("+")) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /**
   * The script file a shell given no {@code -c} runs ({@code bash f.sh}); {@code null} when it
   * reads its commands from standard input ({@code bash}, {@code sh -s}, {@code bash -}).
   */
  static String shellScriptOperand(List<String> argv) {
    for (int i = 1; i < argv.size(); i++) {
      String word = argv.get(i);
      if (word.equals("-") || word.equals("-s") || SHELL_STDIN_OPTION.matcher(word).matches()) {
        return null;
      }
      if (SHELL_COMMAND_OPTION.matcher(word).matches()) {
        return "-c";
      }
      if (word.equals("-o")
          || word.equals("+o")
          || word.equals("-O")
          || word.equals("+O")
          || word.equals("--rcfile")
          || word.equals("--init-file")) {
        i++;
      } else if (word.equals("--")) {
        return i + 1 < argv.size() ? argv.get(i + 1) : null;
      } else if (!word.startsWith("-") && !word.startsWith("+")) {
        return word;
      }
    }
    return null;
  }

  /** {@code script -c CMD}, also {@code -qc CMD} and {@code --command=CMD}. */
  private static Optional<Unwrapping> scriptCommand(List<String> argv) {
    for (int i = 1; i < argv.size(); i++) {
      String word = argv.get(i);
      if (word.startsWith("--command=")) {
        return Optional.of(new Unwrapping.Script(word.substring("--command=".length())));
      }
      if ((word.equals("--command") || SHELL_COMMAND_OPTION.matcher(word).matches())
          && i + 1 < argv.size()) {
        return Optional.of(new Unwrapping.Script(argv.get(i + 1)));
      }
    }
    return Optional.empty();
  }

  /** {@code ssh [options] HOST CMD...}: the remote shell runs the words after the host. */
  private static Optional<Unwrapping> ssh(List<String> argv) {
    int i = 1;
    while (i < argv.size()) {
      String word = argv.get(i);
      if (word.equals("--")) {
        i++;
        break;
      }
      if (!word.startsWith("-")) {
        break;
      }
      i += word.length() == 2 && SSH_OPTIONS_WITH_VALUE.indexOf(word.charAt(1)) >= 0 ? 2 : 1;
    }
    if (i + 1 >= argv.size()) {
      return Optional.empty();
    }
    return Optional.of(new Unwrapping.Script(String.join(" ", argv.subList(i + 1, argv.size()))));
  }

  /**
   * {@code parallel CMD ::: ARGS}: runs CMD once per argument, through a shell, with the argument
   * in place of {@code {}} or appended; without CMD each argument is a command line.
   */
  private static Optional<Unwrapping> parallel(List<String> argv) {
    int separator = -1;
    for (int i = 1; i < argv.size(); i++) {
      if (argv.get(i).startsWith(":::")) {
        separator = i;
        break;
      }
    }
    if (separator < 0) {
      return Optional.empty();
    }
    List<String> values = new ArrayList<>();
    boolean fromFile = false;
    for (int j = separator; j < argv.size(); j++) {
      String word = argv.get(j);
      if (word.startsWith(":::")) {
        fromFile = word.startsWith("::::");
      } else if (values.size() < 64) {
        values.add(fromFile ? UnknownValues.placeholder("the file " + word) : word);
      }
    }
    String script = parallelScript(parallelTemplate(argv, separator), values);
    return script.isEmpty() ? Optional.empty() : Optional.of(new Unwrapping.Script(script));
  }

  /** The command words of {@code parallel OPTIONS CMD…} before {@code end}. */
  static List<String> parallelTemplate(List<String> argv, int end) {
    int i = 1;
    while (i < end && argv.get(i).startsWith("-")) {
      i += PARALLEL_OPTIONS_WITH_VALUE.contains(argv.get(i)) ? 2 : 1;
    }
    return argv.subList(Math.min(i, end), end);
  }

  /**
   * The command lines parallel runs: each value (shell-quoted, as parallel quotes it) in place of
   * {@code {}} or appended to the command words. Parallel joins the command words with spaces
   * before the shell reads them, so {@code parallel bash -c 'a b' ::: x} runs {@code bash -c a b
   * 'x'}; that is judged, and so is the reading that keeps each word whole, the worse of the two
   * being unknown to the guard.
   */
  static String parallelScript(List<String> template, List<String> values) {
    StringBuilder script = new StringBuilder();
    for (String value : values) {
      String quoted = quoteForShell(value);
      if (template.isEmpty()) {
        script.append(value).append('\n');
        continue;
      }
      String joined = String.join(" ", template);
      script
          .append(joined.contains("{}") ? joined.replace("{}", quoted) : joined + " " + quoted)
          .append('\n');
      boolean wordsWithSpaces = false;
      for (String word : template) {
        wordsWithSpaces |= word.isEmpty() || word.chars().anyMatch(Character::isWhitespace);
      }
      if (wordsWithSpaces) {
        StringBuilder whole = new StringBuilder();
        for (String word : template) {
          whole.append(quoteForShell(word.replace("{}", value))).append(' ');
        }
        if (!joined.contains("{}")) {
          whole.append(quoted);
        }
        script.append(whole.toString().strip()).append('\n');
      }
    }
    return script.toString();
  }

  private static final Pattern SHELL_SYNTAX = Pattern.compile("[\\s;&|<>()'\"`\\\\]");

  /**
   * Only what the shell would split or run is quoted: "~/x", "$HOME" and globs as parallel received
   * them stand for what the shell had expanded them to, and a value the guard cannot know stays the
   * unknown expansion it is written as.
   */
  private static String quoteForShell(String value) {
    return UnknownValues.isUnknown(value) || !SHELL_SYNTAX.matcher(value).find()
        ? value
        : shellQuote(value);
  }

  static String shellQuote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }

  private static Optional<String> optionValue(
      List<String> argv, String shortName, String longName) {
    for (int i = 1; i < argv.size(); i++) {
      String word = argv.get(i);
      if ((word.equals(shortName) || word.equals(longName)) && i + 1 < argv.size()) {
        return Optional.of(argv.get(i + 1));
      }
      if (word.startsWith(longName + "=")) {
        return Optional.of(word.substring(longName.length() + 1));
      }
    }
    return Optional.empty();
  }

  private static Optional<Unwrapping> afterDoubleDash(List<String> argv) {
    int dash = argv.indexOf("--");
    return rest(argv, dash < 0 ? -1 : dash + 1);
  }

  /** Whether find has no test before its first action that narrows which files it reaches. */
  static boolean findReachesEverything(List<String> argv, int from) {
    for (int j = from; j < argv.size(); j++) {
      String word = argv.get(j);
      if (FIND_ACTIONS.contains(word)) {
        break;
      }
      if (word.startsWith("-") && !FIND_NON_FILTERS.contains(word)) {
        return false;
      }
    }
    return true;
  }

  /** Whether find's -delete is an action of its own, not a word of an -exec command. */
  private static boolean deletes(List<String> argv, int from) {
    for (int i = from; i < argv.size(); i++) {
      String word = argv.get(i);
      if (word.equals("-delete")) {
        return true;
      }
      if (word.equals("-exec")
          || word.equals("-execdir")
          || word.equals("-ok")
          || word.equals("-okdir")) {
        while (i + 1 < argv.size()
            && !argv.get(i + 1).equals(";")
            && !argv.get(i + 1).equals("+")) {
          i++;
        }
      }
    }
    return false;
  }

  /**
   * {@code find START... -exec CMD ARGS {} ;}: runs CMD once per found file. {@code {}} stands for
   * files below each start path, written {@code START/{}} so path rules see where they are.
   */
  private static Optional<Unwrapping> findExec(List<String> argv) {
    List<String> starts = new ArrayList<>();
    int i = 1;
    while (i < argv.size()
        && !argv.get(i).startsWith("-")
        && !argv.get(i).equals("(")
        && !argv.get(i).equals("!")) {
      starts.add(argv.get(i));
      i++;
    }
    if (starts.isEmpty()) {
      starts.add(".");
    }
    // Without a test that narrows what is found, find reaches every file below the start paths and
    // the start path itself: "find . -delete" wipes the tree as "rm -rf ." would.
    boolean everything = findReachesEverything(argv, i);
    List<List<String>> commands = new ArrayList<>();
    if (everything && deletes(argv, i)) {
      for (String start : starts) {
        commands.add(List.of("rm", "-rf", start));
      }
    }
    for (; i < argv.size(); i++) {
      String word = argv.get(i);
      if (!word.equals("-exec")
          && !word.equals("-execdir")
          && !word.equals("-ok")
          && !word.equals("-okdir")) {
        continue;
      }
      int end = i + 1;
      while (end < argv.size() && !argv.get(end).equals(";") && !argv.get(end).equals("+")) {
        end++;
      }
      List<String> template = argv.subList(i + 1, end);
      if (!template.isEmpty()) {
        for (String start : starts) {
          List<String> command = new ArrayList<>(template.size());
          String found = (start.endsWith("/") ? start : start + "/") + "{}";
          for (String part : template) {
            command.add(part.replace("{}", found));
          }
          commands.add(command);
          if (everything) {
            List<String> itself = new ArrayList<>(template.size());
            for (String part : template) {
              itself.add(part.replace("{}", start));
            }
            commands.add(itself);
          }
        }
      }
      i = end;
    }
    return commands.isEmpty() ? Optional.empty() : Optional.of(new Unwrapping.Commands(commands));
  }
}
