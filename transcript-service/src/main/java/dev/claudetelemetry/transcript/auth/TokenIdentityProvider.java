package dev.claudetelemetry.transcript.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * The roles of a token. Every check is against digests in memory (constant time, never logged), so
 * it runs on the event loop. A token that is none of the configured ones fails authentication: the
 * request is answered 401 whatever endpoint it was for.
 */
@ApplicationScoped
public class TokenIdentityProvider implements IdentityProvider<TokenRequest> {

  private final AccessTokens tokens;

  public TokenIdentityProvider(AccessTokens tokens) {
    this.tokens = tokens;
  }

  @Override
  public Class<TokenRequest> getRequestType() {
    return TokenRequest.class;
  }

  @Override
  public Uni<SecurityIdentity> authenticate(
      TokenRequest request, AuthenticationRequestContext context) {
    return identity(request)
        .map(identity -> Uni.createFrom().item(identity))
        .orElseGet(
            () ->
                Uni.createFrom()
                    .failure(
                        new AuthenticationFailedException(
                            request.source() == TokenRequest.Source.VIEWER_COOKIE
                                ? "the viewer's cookie holds no valid read token"
                                : "the bearer token is not valid")));
  }

  private Optional<SecurityIdentity> identity(TokenRequest request) {
    String token = request.token();
    if (request.source() == TokenRequest.Source.VIEWER_COOKIE) {
      return tokens.read().accepts(token) ? Optional.of(of(Roles.VIEWER, Roles.VIEWER)) : empty();
    }
    if (tokens.write().accepts(token)) {
      // A write token that is also a read token (one token for both) may do both.
      return Optional.of(
          tokens.read().accepts(token)
              ? of(Roles.SERVICE, Roles.SERVICE, Roles.READER)
              : of(Roles.SERVICE, Roles.SERVICE));
    }
    if (tokens.read().accepts(token)) {
      return Optional.of(of(Roles.READER, Roles.READER));
    }
    // User tokens equal to a service or read token are refused when the directory is read.
    return tokens.userOf(token).map(user -> of(user, Roles.USER));
  }

  private static Optional<SecurityIdentity> empty() {
    return Optional.empty();
  }

  private static SecurityIdentity of(String principal, String... roles) {
    QuarkusSecurityIdentity.Builder builder =
        QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(principal));
    for (String role : roles) {
      builder.addRole(role);
    }
    return builder.build();
  }
}
