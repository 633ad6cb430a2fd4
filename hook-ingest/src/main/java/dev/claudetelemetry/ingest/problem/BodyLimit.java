package dev.claudetelemetry.ingest.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudetelemetry.ingest.metrics.HookMetrics;
import dev.claudetelemetry.servicesupport.problem.Problem;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Bodies over {@code quarkus.http.limits.max-body-size} are refused by the HTTP layer before any
 * resource sees them, with an empty 413. This answers the usual case (a declared Content-Length)
 * with a problem body up front, and counts every 413, including chunked bodies the HTTP layer cut
 * off.
 */
@Singleton
public class BodyLimit {

  private final HookMetrics metrics;
  private final long maxBytes;
  private final ObjectMapper mapper = new ObjectMapper();

  BodyLimit(
      HookMetrics metrics,
      @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize max) {
    this.metrics = metrics;
    this.maxBytes = max.asLongValue();
  }

  void install(@Observes Router router) {
    router.route("/v1/*").order(Integer.MIN_VALUE).handler(this::check);
  }

  private void check(RoutingContext context) {
    String declared = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    if (declared != null && exceeds(declared)) {
      metrics.rejected(Rejection.TOO_LARGE);
      context
          .response()
          .setStatusCode(413)
          .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
          .putHeader(HttpHeaders.CONNECTION, "close")
          .end(
              json(
                  Problem.of(
                      Rejection.TOO_LARGE.type(),
                      "the body is "
                          + declared
                          + " bytes; at most "
                          + maxBytes
                          + " are accepted")));
      return;
    }
    context.addHeadersEndHandler(
        ended -> {
          if (context.response().getStatusCode() == 413) {
            metrics.rejected(Rejection.TOO_LARGE);
          }
        });
    context.next();
  }

  private boolean exceeds(String contentLength) {
    try {
      return Long.parseLong(contentLength.strip()) > maxBytes;
    } catch (NumberFormatException e) {
      return false; // the HTTP layer refuses a malformed Content-Length itself
    }
  }

  private String json(Problem problem) {
    try {
      return mapper.writeValueAsString(problem);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a problem always serialises", e);
    }
  }
}
