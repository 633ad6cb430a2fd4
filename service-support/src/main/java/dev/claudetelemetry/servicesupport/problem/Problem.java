package dev.claudetelemetry.servicesupport.problem;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * An RFC 9457 problem details body: {@code type}, {@code title}, {@code status}, {@code detail}
 * (what to fix; omitted when null) and the extension members next to them ({@code errors}, {@code
 * expectedOffset}, ...). Served as {@value #MEDIA_TYPE}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"type", "title", "status", "detail"})
public record Problem(
    String type,
    String title,
    int status,
    String detail,
    @JsonIgnore Map<String, Object> extensions) {

  public static final String MEDIA_TYPE = "application/problem+json";

  private static final Set<String> MEMBERS = Set.of("type", "title", "status", "detail");

  public Problem {
    for (String name : extensions.keySet()) {
      if (MEMBERS.contains(name)) {
        throw new IllegalArgumentException(
            name + " is a member of every problem, not an extension");
      }
    }
    extensions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extensions));
  }

  public static Problem of(ProblemType type, String detail) {
    return of(type, detail, Map.of());
  }

  public static Problem of(ProblemType type, String detail, Map<String, Object> extensions) {
    return new Problem(type.uri(), type.title(), type.status(), detail, extensions);
  }

  /**
   * An error the HTTP layer raised with a status only: its kind when one stands for the status,
   * else RFC 9457's {@code about:blank} with the status' reason phrase as title.
   */
  public static Problem forStatus(int status, String reasonPhrase, String detail) {
    ProblemType type = ProblemType.forStatus(status);
    return type != null
        ? new Problem(type.uri(), type.title(), status, detail, Map.of())
        : new Problem("about:blank", reasonPhrase, status, detail, Map.of());
  }

  /** Serialised next to the standard members, as RFC 9457 extension members are. */
  @JsonAnyGetter
  Map<String, Object> extensionMembers() {
    return extensions;
  }
}
