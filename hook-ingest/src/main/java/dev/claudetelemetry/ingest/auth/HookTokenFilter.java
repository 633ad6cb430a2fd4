package dev.claudetelemetry.ingest.auth;

import dev.claudetelemetry.ingest.hooks.HookResource;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every {@code /v1/*} request that reaches the REST layer passes {@link HookAuthentication} before
 * its body is read; the resource reads the token's user from the {@link SecurityContext} set here.
 * Metrics and health live outside {@code /v1} and stay open for Prometheus and the kubelet.
 */
public class HookTokenFilter {

  private final HookAuthentication authentication;

  HookTokenFilter(HookAuthentication authentication) {
    this.authentication = authentication;
  }

  @ServerRequestFilter
  public void authenticate(ContainerRequestContext request) {
    if (!request.getUriInfo().getPath().startsWith("/v1/")) {
      return;
    }
    Optional<String> user =
        authentication.authenticate(
            request.getHeaderString(HttpHeaders.AUTHORIZATION),
            request.getHeaderString(HookResource.USER_HEADER));
    user.ifPresent(name -> request.setSecurityContext(new UserSecurityContext(name)));
  }

  /** The authenticated user, for the resource; nothing else about security is asked of it. */
  private record UserSecurityContext(String user) implements SecurityContext {
    @Override
    public Principal getUserPrincipal() {
      return () -> user;
    }

    @Override
    public boolean isUserInRole(String role) {
      return false;
    }

    @Override
    public boolean isSecure() {
      return false;
    }

    @Override
    public String getAuthenticationScheme() {
      return "Bearer";
    }
  }
}
