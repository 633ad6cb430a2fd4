package dev.claudetelemetry.policy.rules;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads command-line flags in any spelling: {@code -rf}, {@code -r -f}, {@code --recursive}. */
final class Flags {

  private Flags() {}

  /** Short flags as single letters, long flags without dashes or value; stops at {@code --}. */
  static Set<String> of(List<String> args) {
    Set<String> flags = new HashSet<>();
    for (String arg : args) {
      if (arg.equals("--")) {
        break;
      }
      if (arg.startsWith("--") && arg.length() > 2) {
        int equals = arg.indexOf('=');
        flags.add(equals > 0 ? arg.substring(2, equals) : arg.substring(2));
      } else if (arg.startsWith("-") && arg.length() > 1 && !Character.isDigit(arg.charAt(1))) {
        for (int i = 1; i < arg.length(); i++) {
          flags.add(String.valueOf(arg.charAt(i)));
        }
      }
    }
    return flags;
  }

  /**
   * The arguments that are not options: before {@code --} those not starting with a dash, all after
   * it.
   */
  static List<String> operands(List<String> args) {
    int dash = args.indexOf("--");
    List<String> before =
        (dash < 0 ? args : args.subList(0, dash))
            .stream().filter(a -> !a.startsWith("-") || a.equals("-")).toList();
    if (dash < 0) {
      return before;
    }
    List<String> all = new java.util.ArrayList<>(before);
    all.addAll(args.subList(dash + 1, args.size()));
    return all;
  }
}
