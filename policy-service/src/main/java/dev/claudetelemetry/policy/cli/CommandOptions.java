package dev.claudetelemetry.policy.cli;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options of a {@code check} subcommand, parsed the same way for every one: {@code --name
 * value} pairs and bare switches, the last of a repeated option winning. A parse that fails names
 * the option in {@link #problem()}, for the command's usage message.
 */
final class CommandOptions {

  private final Map<String, String> values = new HashMap<>();
  private final Set<String> switches = new HashSet<>();
  private String problem;

  private CommandOptions() {}

  /**
   * @param args the arguments after the command's positional ones
   * @param valued the options that take a value
   * @param switchNames the options that stand alone
   */
  static CommandOptions parse(List<String> args, Set<String> valued, Set<String> switchNames) {
    CommandOptions options = new CommandOptions();
    for (int i = 0; i < args.size(); i++) {
      String option = args.get(i);
      if (switchNames.contains(option)) {
        options.switches.add(option);
        continue;
      }
      if (i + 1 >= args.size()) {
        options.problem = "missing value for " + option;
        return options;
      }
      if (!valued.contains(option)) {
        options.problem = "unknown option " + option;
        return options;
      }
      options.values.put(option, args.get(++i));
    }
    return options;
  }

  /** What is wrong with the arguments, or {@code null}. */
  String problem() {
    return problem;
  }

  String value(String option, String fallback) {
    return values.getOrDefault(option, fallback);
  }

  boolean has(String option) {
    return switches.contains(option);
  }

  /**
   * The option's whole number, {@code fallback} when it is absent, -1 when it is not a number in
   * {@code [min, max]}.
   */
  int number(String option, int fallback, int min, int max) {
    String value = values.get(option);
    if (value == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(value);
      return n < min || n > max ? -1 : n;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
