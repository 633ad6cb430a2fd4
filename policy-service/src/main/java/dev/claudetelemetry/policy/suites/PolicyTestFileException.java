package dev.claudetelemetry.policy.suites;

/** A policy test file that cannot be read as one: names the file, the case and what to fix. */
public class PolicyTestFileException extends Exception {
  public PolicyTestFileException(String message) {
    super(message, null, false, false);
  }
}
