package dev.claudetelemetry.transcript.upload;

import dev.claudetelemetry.servicesupport.problem.ProblemException;
import java.util.regex.Pattern;

/**
 * The shapes of ids this service accepts from the outside (they end up in SQL parameters and
 * links).
 */
public final class Identifiers {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  private Identifiers() {}

  public static boolean isValid(String id) {
    return id != null && ID.matcher(id).matches();
  }

  public static String sessionId(String id) {
    if (!isValid(id)) {
      throw ProblemException.badRequest("session id must match [A-Za-z0-9._-]{1,128}");
    }
    return id;
  }

  public static String fileId(String id) {
    if (!isValid(id)) {
      throw ProblemException.badRequest(
          "file id must be 'main' or a subagent id matching [A-Za-z0-9._-]{1,128}");
    }
    return id;
  }

  /** A free-text header value (user, cwd): bounded, no control characters. */
  public static String headerValue(String name, String value, int maxLength) {
    if (value == null || value.isBlank()) {
      return null;
    }
    if (value.length() > maxLength || value.chars().anyMatch(ch -> ch < 0x20)) {
      throw ProblemException.badRequest(
          name + " must be at most " + maxLength + " characters without control characters");
    }
    return value.trim();
  }
}
