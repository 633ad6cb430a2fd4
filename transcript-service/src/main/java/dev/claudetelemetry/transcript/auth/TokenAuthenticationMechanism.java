package dev.claudetelemetry.transcript.auth;

import dev.claudetelemetry.servicesupport.auth.BearerToken;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the request's token: a bearer header, else the viewer's cookie. No token leaves the request
 * anonymous, which only an endpoint without roles would let through (there is none). Which roles a
 * token carries is {@link TokenIdentityProvider}'s answer; which roles an endpoint admits is its
 * {@code @RolesAllowed}.
 */
@ApplicationScoped
public class TokenAuthenticationMechanism implements HttpAuthenticationMechanism {

  /** Set by {@link ViewerLogin} from a read token the viewer got once as {@code ?token=}. */
  public static final String VIEWER_COOKIE = "claude_telemetry_read";

  @Override
  public Uni<SecurityIdentity> authenticate(
      RoutingContext context, IdentityProviderManager identities) {
    // An Authorization header of another scheme (an ingress' basic auth, say) is not ours: the
    // cookie still counts then.
    Optional<TokenRequest> request =
        BearerToken.from(context.request().getHeader(HttpHeaders.AUTHORIZATION))
            .map(t -> new TokenRequest(t, TokenRequest.Source.BEARER))
            .or(
                () ->
                    Optional.ofNullable(context.request().getCookie(VIEWER_COOKIE))
                        .map(Cookie::getValue)
                        .map(t -> new TokenRequest(t, TokenRequest.Source.VIEWER_COOKIE)));
    if (request.isEmpty()) {
      return Uni.createFrom().optional(Optional.empty());
    }
    return identities.authenticate(
        HttpSecurityUtils.setRoutingContextAttribute(request.get(), context));
  }

  @Override
  public Uni<ChallengeData> getChallenge(RoutingContext context) {
    return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer"));
  }

  @Override
  public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
    return Set.of(TokenRequest.class);
  }

  @Override
  public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
    return Uni.createFrom()
        .item(new HttpCredentialTransport(HttpCredentialTransport.Type.AUTHORIZATION, "bearer"));
  }
}
