package dev.claudetelemetry.transcript.auth;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;

/**
 * Grafana links open the viewer with the read token once as {@code ?token=}: a valid one is
 * answered with a redirect to the same page without it (so it leaves the address bar and the
 * browser history) that sets it as an HttpOnly cookie for {@code /sessions}, which {@link
 * TokenAuthenticationMechanism} reads from then on. Any other request passes on untouched, an
 * invalid {@code ?token=} included: the page's own roles then refuse it.
 */
@Singleton
public class ViewerLogin {

  /**
   * How long a browser keeps the viewer's cookie; after that a Grafana link with ?token= sets it
   * again.
   */
  private static final int MAX_AGE_SECONDS = 12 * 3600;

  private final AccessTokens tokens;

  ViewerLogin(AccessTokens tokens) {
    this.tokens = tokens;
  }

  void install(@Observes Router router) {
    router.routeWithRegex("/sessions(/.*)?").order(Integer.MIN_VALUE).handler(this::exchange);
  }

  private void exchange(RoutingContext context) {
    String token = context.queryParams().get("token");
    if (token == null || !tokens.read().accepts(token)) {
      context.next();
      return;
    }
    boolean https =
        "https".equalsIgnoreCase(context.request().getHeader("X-Forwarded-Proto"))
            || "https".equalsIgnoreCase(context.request().scheme());
    // Written out rather than through Vert.x' cookie encoder, which spells the attribute HTTPOnly.
    String cookie =
        TokenAuthenticationMechanism.VIEWER_COOKIE
            + "="
            + token
            + "; Path=/sessions; Max-Age="
            + MAX_AGE_SECONDS
            + "; HttpOnly; SameSite=Lax"
            + (https ? "; Secure" : "");
    context
        .response()
        .putHeader(HttpHeaders.SET_COOKIE, cookie)
        .setStatusCode(303)
        .putHeader(HttpHeaders.LOCATION, withoutToken(context))
        .end();
  }

  /** The same page, its other query parameters as they were sent. */
  private static String withoutToken(RoutingContext context) {
    String query = context.request().query();
    List<String> kept = new ArrayList<>();
    for (String parameter : query == null ? new String[0] : query.split("&")) {
      String name = parameter.split("=", 2)[0];
      if (!name.equals("token") && !parameter.isEmpty()) {
        kept.add(parameter);
      }
    }
    return context.request().path() + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
  }
}
