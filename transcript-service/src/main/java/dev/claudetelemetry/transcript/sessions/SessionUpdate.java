package dev.claudetelemetry.transcript.sessions;

import java.time.Instant;

/** What one write learned about a session; nulls mean "not known from this write". */
public record SessionUpdate(
    String user,
    String cwd,
    String model,
    Instant startedAt,
    Instant endedAt,
    String endReason,
    Instant lastActivityAt,
    int denials) {

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Accumulates over many lines or events: first user/cwd, last model, earliest start, latest
   * activity.
   */
  public static final class Builder {
    private String user;
    private String cwd;
    private String model;
    private Instant startedAt;
    private Instant endedAt;
    private String endReason;
    private Instant lastActivityAt;
    private int denials;

    public Builder user(String value) {
      if (user == null) {
        user = value;
      }
      return this;
    }

    public Builder cwd(String value) {
      if (cwd == null) {
        cwd = value;
      }
      return this;
    }

    public Builder model(String value) {
      if (value != null) {
        model = value;
      }
      return this;
    }

    public Builder seen(Instant at) {
      if (at != null) {
        startedAt = startedAt == null || at.isBefore(startedAt) ? at : startedAt;
        lastActivityAt = lastActivityAt == null || at.isAfter(lastActivityAt) ? at : lastActivityAt;
      }
      return this;
    }

    public Builder ended(Instant at, String reason) {
      endedAt = at;
      endReason = reason;
      return this;
    }

    public Builder denial() {
      denials++;
      return this;
    }

    public SessionUpdate build() {
      return new SessionUpdate(
          user, cwd, model, startedAt, endedAt, endReason, lastActivityAt, denials);
    }
  }
}
