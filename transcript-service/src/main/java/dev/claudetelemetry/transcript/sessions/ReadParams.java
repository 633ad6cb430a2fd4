package dev.claudetelemetry.transcript.sessions;

import dev.claudetelemetry.servicesupport.problem.ProblemException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Parsing of query parameters shared by the read API and the viewer, with 400s that name the
 * parameter.
 */
public final class ReadParams {
  private ReadParams() {}

  public static Instant instant(String name, String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(value.trim());
    } catch (DateTimeParseException e) {
      try {
        return java.time.LocalDate.parse(value.trim())
            .atStartOfDay(java.time.ZoneOffset.UTC)
            .toInstant();
      } catch (DateTimeParseException e2) {
        throw ProblemException.badRequest(
            "'" + name + "' must be an ISO-8601 instant or date, e.g. 2026-11-25T00:00:00Z");
      }
    }
  }

  public static int bounded(String name, Integer value, int fallback, int max) {
    if (value == null) {
      return fallback;
    }
    if (value < 0 || value > max) {
      throw ProblemException.badRequest("'" + name + "' must be between 0 and " + max);
    }
    return value;
  }

  public static String text(String name, String value, int maxLength) {
    if (value == null || value.isBlank()) {
      return null;
    }
    if (value.length() > maxLength) {
      throw ProblemException.badRequest(
          "'" + name + "' must be at most " + maxLength + " characters");
    }
    return value.trim();
  }

  public static Boolean flag(String name, String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    return switch (value.trim().toLowerCase()) {
      case "true", "yes", "1", "on" -> Boolean.TRUE;
      case "false", "no", "0", "off" -> Boolean.FALSE;
      default -> throw ProblemException.badRequest("'" + name + "' must be true or false");
    };
  }
}
