package dev.claudetelemetry.policy.decisions;

import dev.claudetelemetry.policy.PolicyServiceConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Checks every {@code /v1/*} request before its body is read: the bearer token when one is
 * configured (compared in constant time, never logged), and the declared body size.
 */
public class ApiRequestFilter {

  private final Optional<byte[]> tokenDigest;
  private final int maxBodyBytes;

  public ApiRequestFilter(PolicyServiceConfig config) {
    this.tokenDigest =
        config.serviceToken().filter(t -> !t.isBlank()).map(ApiRequestFilter::digest);
    this.maxBodyBytes = config.limits().maxBodyBytes();
  }

  @ServerRequestFilter(preMatching = true)
  public Optional<Response> check(ContainerRequestContext request) {
    String path = request.getUriInfo().getPath();
    if (!path.startsWith("/v1/") && !path.equals("/v1")) {
      return Optional.empty();
    }
    if (tokenDigest.isPresent()) {
      String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
      String presented =
          header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
              ? header.substring(7).trim()
              : "";
      if (!MessageDigest.isEqual(tokenDigest.get(), digest(presented))) {
        return Optional.of(
            ProblemMappers.respond(
                new Problem(
                    Problem.TYPE_BASE + "unauthorized",
                    "Missing or wrong bearer token",
                    401,
                    "send Authorization: Bearer <POLICY_SERVICE_TOKEN>",
                    null)));
      }
    }
    int length = request.getLength();
    if (length > maxBodyBytes) {
      return Optional.of(
          ProblemMappers.respond(
              new Problem(
                  Problem.TYPE_BASE + "body-too-large",
                  "Request body too large",
                  413,
                  "the body is " + length + " bytes; the limit is " + maxBodyBytes,
                  null)));
    }
    return Optional.empty();
  }

  /**
   * Digests have equal length, so the comparison time does not reveal the token's length either.
   */
  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }
}
