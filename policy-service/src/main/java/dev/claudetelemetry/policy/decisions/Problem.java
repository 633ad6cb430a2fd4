package dev.claudetelemetry.policy.decisions;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An RFC 9457 problem details body.
 *
 * @param errors for a batch: which inputs were bad and why
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
    String type, String title, int status, String detail, List<BatchError> errors) {

  public record BatchError(int index, String reason) {}

  static final String TYPE_BASE = "https://claude-telemetry.dev/problems/";
}
