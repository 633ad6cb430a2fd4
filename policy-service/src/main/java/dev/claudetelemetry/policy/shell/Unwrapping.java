package dev.claudetelemetry.policy.shell;

import java.util.List;

/** What a wrapper command runs. */
sealed interface Unwrapping {

  /**
   * The wrapper runs another command directly ({@code sudo rm ...}).
   *
   * @param wrapperLength how many words belong to the wrapper itself
   */
  record Command(int wrapperLength, List<String> argv) implements Unwrapping {}

  /** The wrapper hands a string to a shell to parse again ({@code bash -c}, {@code eval}). */
  record Script(String source) implements Unwrapping {}

  /** The wrapper runs several commands ({@code find -exec}). */
  record Commands(List<List<String>> argvs) implements Unwrapping {}
}
