package dev.claudetelemetry.policy.shell;

/**
 * What a command reads on its standard input, or writes on its standard output: text the guard
 * knows (a here-document, {@code echo} of literal words), text from a source it cannot know ({@code
 * curl}, a file, a variable), or nothing at all.
 *
 * @param text the literal text, when known
 * @param source what produced text the guard cannot know, for reasons ({@code curl}, {@code <
 *     file})
 */
record Feed(String text, String source) {

  static final Feed NONE = new Feed(null, null);

  static Feed literal(String text) {
    return new Feed(text, null);
  }

  static Feed unknown(String source) {
    return new Feed(null, source);
  }

  boolean known() {
    return text != null;
  }

  boolean isUnknown() {
    return text == null && source != null;
  }

  boolean none() {
    return text == null && source == null;
  }
}
