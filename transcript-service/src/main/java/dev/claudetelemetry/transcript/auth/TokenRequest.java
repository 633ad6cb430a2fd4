package dev.claudetelemetry.transcript.auth;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A token as the request presented it: where it came from decides what it may open. */
public final class TokenRequest extends BaseAuthenticationRequest {

  /** Where the token was found. */
  public enum Source {
    /** {@code Authorization: Bearer <token>}. */
    BEARER,
    /** The viewer's cookie, {@value TokenAuthenticationMechanism#VIEWER_COOKIE}. */
    VIEWER_COOKIE
  }

  private final String token;
  private final Source source;

  public TokenRequest(String token, Source source) {
    this.token = token;
    this.source = source;
  }

  public String token() {
    return token;
  }

  public Source source() {
    return source;
  }
}
