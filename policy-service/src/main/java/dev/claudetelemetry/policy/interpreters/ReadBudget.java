package dev.claudetelemetry.policy.interpreters;

/**
 * How much code one inline program may make a reader parse, the strings it hands to {@code
 * exec}/{@code eval} included. A short program can evaluate one long literal thousands of times
 * ({@code c='…'; exec(c); exec(c); …}); each evaluation is parsed again, so without a budget the
 * work grows with the product of the two and a decision could take minutes.
 */
final class ReadBudget {
  static final int MAX_CHARS = 2 * InterpreterCode.MAX_CODE_CHARS;

  private int left = MAX_CHARS;

  /** Takes {@code chars} from the budget; {@code false} (and nothing taken) when it is spent. */
  boolean take(int chars) {
    if (chars > left) {
      return false;
    }
    left -= chars;
    return true;
  }

  static Effect spent() {
    return Effect.opaque("the inline code evaluates more code than the guard reads");
  }
}
