package dev.claudetelemetry.policy.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The {@code check} command printing into a buffer, which the test reads as the operator would. */
final class CapturedCheck {
  private final ByteArrayOutputStream output = new ByteArrayOutputStream();
  private final PolicyCheckCommand command =
      new PolicyCheckCommand(new PrintStream(output, true, StandardCharsets.UTF_8));

  int run(List<String> args) {
    return command.run(args);
  }

  /** Everything the command printed so far. */
  String out() {
    return output.toString(StandardCharsets.UTF_8);
  }

  /** Forgets what the command printed, for the next run's output alone. */
  void reset() {
    output.reset();
  }
}
