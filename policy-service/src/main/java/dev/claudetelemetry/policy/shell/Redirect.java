package dev.claudetelemetry.policy.shell;

/**
 * A file redirection.
 *
 * @param operator as written: {@code >}, {@code >>}, {@code <}, {@code &>}, ...
 * @param target the file name after quote removal
 * @param writes whether the redirection writes the file (anything but {@code <})
 */
public record Redirect(String operator, String target, boolean writes) {}
