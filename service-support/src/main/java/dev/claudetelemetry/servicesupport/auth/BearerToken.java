package dev.claudetelemetry.servicesupport.auth;

import java.util.Optional;

/**
 * The token of an {@code Authorization: Bearer <token>} header (RFC 6750; the scheme in any case).
 */
public final class BearerToken {
  private static final String SCHEME = "Bearer ";

  private BearerToken() {}

  /** Empty for a missing header, another scheme, or a blank token. */
  public static Optional<String> from(String authorizationHeader) {
    if (authorizationHeader == null
        || !authorizationHeader.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return Optional.empty();
    }
    String token = authorizationHeader.substring(SCHEME.length()).strip();
    return token.isEmpty() ? Optional.empty() : Optional.of(token);
  }
}
