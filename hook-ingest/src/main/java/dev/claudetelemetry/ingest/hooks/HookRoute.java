package dev.claudetelemetry.ingest.hooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudetelemetry.ingest.auth.HookAuthentication;
import dev.claudetelemetry.ingest.problem.ProblemMappers;
import dev.claudetelemetry.ingest.problem.RejectedException;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /v1/hooks} as every hook client sends it, served straight from the HTTP layer: a
 * Claude Code session sends one such request per hook, each on a connection of its own, and the
 * REST layer's work per request (its request context, filter chain, content negotiation, body
 * reader and writer) cost more CPU than everything the event itself needs.
 *
 * <p>Only the ordinary request is taken here: a JSON body of a declared length, no {@code Accept}
 * or one JSON satisfies, and a token that is let in. Anything else (another content type, an {@code
 * Accept} it cannot satisfy, a chunked body, a missing or refused token) goes on, untouched, to
 * {@link HookResource}, which answers it as it always has. A request taken here gets the same
 * answers the resource gives: {@link HookIntake}'s output, or its failure as the same problem
 * details ({@link ProblemMappers}).
 */
@Singleton
public class HookRoute {

  private static final String JSON = "application/json";
  private static final String JSON_UTF8 = "application/json;charset=UTF-8";

  /** Spelled as the REST layer spells it: the answers are the same, byte for byte. */
  private static final String CONTENT_TYPE = "Content-Type";

  private final HookIntake intake;
  private final HookAuthentication authentication;
  private final ProblemMappers problems;
  private final ObjectMapper mapper;

  HookRoute(
      HookIntake intake,
      HookAuthentication authentication,
      ProblemMappers problems,
      ObjectMapper mapper) {
    this.intake = intake;
    this.authentication = authentication;
    this.problems = problems;
    this.mapper = mapper;
  }

  void install(@Observes Router router) {
    // After BodyLimit (Integer.MIN_VALUE), before the REST layer.
    router.post("/v1/hooks").order(Integer.MIN_VALUE + 1).handler(this::handle);
  }

  private void handle(RoutingContext context) {
    HttpServerRequest request = context.request();
    MultiMap headers = request.headers();
    if (!ordinary(headers)) {
      context.next();
      return;
    }
    Optional<String> user;
    try {
      user =
          authentication.authenticate(
              headers.get(HttpHeaders.AUTHORIZATION), headers.get(HookResource.USER_HEADER));
    } catch (RejectedException refused) {
      context.next(); // the resource's filter refuses it again, and the refusal is counted there
      return;
    }
    request
        .body()
        .onSuccess(body -> receive(context, body, user.orElse(null)))
        .onFailure(context::fail);
    // The HTTP layer pauses every request until a handler takes its body.
    request.resume();
  }

  /**
   * A JSON body whose length is declared (a larger one than allowed was answered by BodyLimit), and
   * no {@code Accept} header or one that JSON satisfies.
   */
  private static boolean ordinary(MultiMap headers) {
    String type = headers.get(HttpHeaders.CONTENT_TYPE);
    if (type == null || headers.get(HttpHeaders.CONTENT_LENGTH) == null) {
      return false;
    }
    int parameters = type.indexOf(';');
    String mediaType = (parameters < 0 ? type : type.substring(0, parameters)).strip();
    if (!mediaType.equalsIgnoreCase(JSON)) {
      return false;
    }
    String accept = headers.get(HttpHeaders.ACCEPT);
    return accept == null
        || accept.equals("*/*")
        || accept.strip().toLowerCase(Locale.ROOT).equals(JSON);
  }

  private void receive(RoutingContext context, Buffer body, String authenticated) {
    MultiMap headers = context.request().headers();
    try {
      intake
          .receive(
              body.getBytes(),
              authenticated,
              headers.get(HookResource.USER_HEADER),
              headers.get(HookResource.EVENT_KEY_HEADER))
          .whenComplete(
              (output, failure) -> {
                if (failure == null) {
                  answer(context, output);
                } else {
                  refuse(context, failure);
                }
              });
    } catch (RuntimeException failure) {
      refuse(context, failure);
    }
  }

  private void answer(RoutingContext context, ObjectNode output) {
    byte[] json;
    try {
      json = mapper.writeValueAsBytes(output);
    } catch (JsonProcessingException e) {
      refuse(context, new IllegalStateException("a hook output always serialises", e));
      return;
    }
    context
        .response()
        .setStatusCode(200)
        .putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(json.length))
        .putHeader(CONTENT_TYPE, JSON_UTF8)
        .end(Buffer.buffer(json));
  }

  private void refuse(RoutingContext context, Throwable failure) {
    Response problem = problems.forFailure(failure);
    byte[] json;
    try {
      json = mapper.writeValueAsBytes(problem.getEntity());
    } catch (JsonProcessingException e) {
      context.fail(e);
      return;
    }
    var response =
        context
            .response()
            .setStatusCode(problem.getStatus())
            .putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(json.length));
    for (Map.Entry<String, List<Object>> header : problem.getHeaders().entrySet()) {
      for (Object value : header.getValue()) {
        response.headers().add(header.getKey(), String.valueOf(value));
      }
    }
    response.end(Buffer.buffer(json));
  }
}
