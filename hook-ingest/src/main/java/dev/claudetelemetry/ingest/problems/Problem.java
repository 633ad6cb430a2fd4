package dev.claudetelemetry.ingest.problems;

import com.fasterxml.jackson.annotation.JsonInclude;

/** An RFC 9457 problem details body. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail) {

  public static final String MEDIA_TYPE = "application/problem+json";

  static Problem of(Rejection rejection, String detail) {
    return new Problem(rejection.type(), rejection.title(), rejection.status(), detail);
  }
}
