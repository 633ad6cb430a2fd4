package dev.claudetelemetry.policy.rules;

import dev.claudetelemetry.policy.shell.ShellCommand;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Matches one simple shell command. Every condition given must hold; within a condition, any listed
 * value is enough.
 *
 * @param names command base names ({@code rm} also matches {@code /bin/rm}, {@code \rm})
 * @param subcommands the first operand, after global options ({@code git -C dir push})
 * @param flags flags in any spelling: {@code r} matches {@code -r}, {@code -rf}, {@code -Rr};
 *     {@code force} matches {@code --force}
 * @param args whole-argument wildcards ({@code of=/dev/*}, {@code -delete}, {@code +*})
 * @param targets which operands are dangerous
 * @param pipedFrom commands whose output this command consumes (earlier in its pipeline, or
 *     substituted into its arguments)
 */
record CommandMatcher(
    Set<String> names,
    Set<String> subcommands,
    Set<String> flags,
    List<Pattern> args,
    TargetMatcher targets,
    Set<String> pipedFrom) {

  private static final Set<String> GLOBAL_OPTIONS_WITH_VALUE =
      Set.of("-C", "-c", "--git-dir", "--work-tree", "--namespace");

  /**
   * How a command matches: not at all, for sure, or only if an unknown target is a dangerous one.
   */
  enum Outcome {
    NO,
    YES,
    THROUGH_UNKNOWN_TARGET
  }

  boolean matches(ShellCommand command, CallFacts facts) {
    return match(command, facts) == Outcome.YES;
  }

  Outcome match(ShellCommand command, CallFacts facts) {
    if (!names.isEmpty() && !names.contains(command.name())) {
      return Outcome.NO;
    }
    List<String> args = command.args();
    List<String> rest = args;
    if (!subcommands.isEmpty()) {
      int index = subcommandIndex(args);
      if (index < 0 || !subcommands.contains(args.get(index))) {
        return Outcome.NO;
      }
      rest = args.subList(index + 1, args.size());
    }
    if (!flags.isEmpty() && Collections.disjoint(flags, Flags.of(rest))) {
      return Outcome.NO;
    }
    if (!this.args.isEmpty() && !anyArgMatches(rest)) {
      return Outcome.NO;
    }
    if (!pipedFrom.isEmpty()
        && Collections.disjoint(pipedFrom, command.upstream())
        && Collections.disjoint(pipedFrom, command.substitutions())) {
      return Outcome.NO;
    }
    if (targets == null) {
      return Outcome.YES;
    }
    List<String> operands = Flags.operands(rest);
    if (targets.firstTarget(operands, command.cwd(), facts).isPresent()) {
      return Outcome.YES;
    }
    return targets.firstUnknown(operands).isPresent() ? Outcome.THROUGH_UNKNOWN_TARGET : Outcome.NO;
  }

  private boolean anyArgMatches(List<String> words) {
    for (String word : words) {
      for (Pattern pattern : args) {
        if (pattern.matcher(word).matches()) {
          return true;
        }
      }
    }
    return false;
  }

  private static int subcommandIndex(List<String> args) {
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (GLOBAL_OPTIONS_WITH_VALUE.contains(arg)) {
        i++;
      } else if (!arg.startsWith("-")) {
        return i;
      }
    }
    return -1;
  }

  /** A whole-argument wildcard: {@code *} matches anything, {@code ?} one character. */
  static Pattern wildcard(String pattern) {
    StringBuilder regex = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      switch (c) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }
}
