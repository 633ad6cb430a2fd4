package dev.claudetelemetry.policy.interpreters;

/** The languages whose inline code the guard reads. */
public enum Language {
  PYTHON,
  JAVASCRIPT,
  PERL,
  RUBY,
  PHP
}
