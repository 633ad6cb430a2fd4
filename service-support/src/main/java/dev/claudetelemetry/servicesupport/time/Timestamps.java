package dev.claudetelemetry.servicesupport.time;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * Reads ISO-8601 instants where there are many to read: the timestamps of transcript lines (Claude
 * Code writes them as JavaScript's {@code toISOString()} does, {@code 2025-11-20T10:00:00.123Z})
 * and the {@code receivedAt} of every recorded call a replay reads ({@link Instant#toString}).
 * Those are read field by field, because {@link Instant#parse} (a DateTimeFormatter) costs about a
 * tenth of the upload path's CPU and as much as the rest of a replayed row. Any other spelling goes
 * through {@link Instant#parse}.
 */
public final class Timestamps {
  /**
   * PostgreSQL's timestamptz holds more, but a transcript line from outside these years is no
   * timestamp.
   */
  private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

  private Timestamps() {}

  /**
   * The instant {@code value} names, or {@code null} if it names none (or one outside years 1 to
   * 9999).
   */
  public static Instant parse(String value) {
    if (value == null) {
      return null;
    }
    Instant instant = utcWithFraction(value);
    if (instant == null) {
      try {
        instant = Instant.parse(value);
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    return instant.isBefore(EARLIEST) || instant.isAfter(LATEST) ? null : instant;
  }

  /**
   * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z}, or {@code null} for anything else (including leap
   * seconds).
   */
  private static Instant utcWithFraction(String v) {
    int n = v.length();
    if (n < 20
        || n > 30
        || v.charAt(4) != '-'
        || v.charAt(7) != '-'
        || v.charAt(10) != 'T'
        || v.charAt(13) != ':'
        || v.charAt(16) != ':'
        || v.charAt(n - 1) != 'Z') {
      return null;
    }
    int year = digits(v, 0, 4);
    int month = digits(v, 5, 2);
    int day = digits(v, 8, 2);
    int hour = digits(v, 11, 2);
    int minute = digits(v, 14, 2);
    int second = digits(v, 17, 2);
    if (year < 0
        || month < 0
        || day < 0
        || hour < 0
        || hour > 23
        || minute < 0
        || minute > 59
        || second < 0
        || second > 59) {
      return null;
    }
    int nanos = 0;
    if (n > 20) {
      int fractionDigits = n - 21;
      if (v.charAt(19) != '.' || fractionDigits < 1) {
        return null;
      }
      int fraction = digits(v, 20, fractionDigits);
      if (fraction < 0) {
        return null;
      }
      nanos = fraction;
      for (int i = fractionDigits; i < 9; i++) {
        nanos *= 10;
      }
    } else if (v.charAt(19) != 'Z') {
      return null;
    }
    try {
      long days = LocalDate.of(year, month, day).toEpochDay();
      return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    } catch (DateTimeException e) {
      return null;
    }
  }

  /** The non-negative number in {@code count} ASCII digits at {@code from}, or -1. */
  private static int digits(String v, int from, int count) {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}
