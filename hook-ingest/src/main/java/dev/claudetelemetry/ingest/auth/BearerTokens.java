package dev.claudetelemetry.ingest.auth;

import dev.claudetelemetry.ingest.config.IngestConfig;
import dev.claudetelemetry.servicesupport.auth.TokenSet;
import dev.claudetelemetry.servicesupport.auth.UserTokenDirectory;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Who may post hooks, and as whom. With {@code CLAUDE_TELEMETRY_USER_TOKENS_DIR} every user has a
 * token of their own and a request acts as the token's user; {@code HOOK_INGEST_TOKEN} is then not
 * accepted at all, because one token shared by every pod lets any pod speak for any user. Without
 * the directory, the single {@code HOOK_INGEST_TOKEN} is accepted and the user comes from the
 * {@code X-Claude-Telemetry-User} header (one user on one machine, development). With neither,
 * nothing is let in: the service is never open by default.
 *
 * <p>Application-scoped (created on first use) because the filter using it is built before runtime
 * configuration is available.
 */
@ApplicationScoped
public class BearerTokens {

  private static final Logger LOG = Logger.getLogger(BearerTokens.class);

  /** How requests are authenticated, from the configuration. */
  public enum Mode {
    /** One token per user; the user is the token's. */
    USER_TOKENS,
    /** One token for every client; the user is what the header says. */
    SHARED_TOKEN,
    /** Nothing configured: every request is refused. */
    NONE
  }

  /** The outcome of checking a token: refused, or accepted and (with user tokens) whose. */
  public record Caller(Optional<String> user) {
    static final Caller SHARED = new Caller(Optional.empty());
  }

  private final Optional<UserTokenDirectory> userTokens;

  private final TokenSet shared;

  private final boolean sharedTokenIgnored;

  BearerTokens(IngestConfig config) {
    List<String> serviceTokens = new ArrayList<>();
    config.token().ifPresent(serviceTokens::add);
    config.forward().token().ifPresent(serviceTokens::add);
    config.guard().policyToken().ifPresent(serviceTokens::add);
    this.userTokens =
        UserTokenDirectory.configured(
            config.userTokensDir(), serviceTokens, config.userTokensRefresh());
    TokenSet configured = TokenSet.ofOne(config.token());
    this.sharedTokenIgnored = userTokens.isPresent() && configured.isConfigured();
    this.shared = userTokens.isPresent() ? TokenSet.of(List.of()) : configured;
  }

  void start(@Observes StartupEvent start) {
    userTokens.ifPresent(UserTokenDirectory::start);
    if (sharedTokenIgnored) {
      LOG.warn(
          "HOOK_INGEST_TOKEN is ignored: CLAUDE_TELEMETRY_USER_TOKENS_DIR is set, so only users'"
              + " own tokens are accepted");
    }
    if (mode() == Mode.NONE) {
      LOG.warn(
          "neither CLAUDE_TELEMETRY_USER_TOKENS_DIR nor HOOK_INGEST_TOKEN is set: every POST"
              + " /v1/hooks is refused with 401 until one is");
    }
  }

  void stop(@Observes ShutdownEvent stop) {
    userTokens.ifPresent(UserTokenDirectory::close);
  }

  public Mode mode() {
    if (userTokens.isPresent()) {
      return Mode.USER_TOKENS;
    }
    return shared.isConfigured() ? Mode.SHARED_TOKEN : Mode.NONE;
  }

  /** Users with a usable token now (0 without the directory). */
  public int users() {
    return userTokens.map(UserTokenDirectory::users).orElse(0);
  }

  public Optional<Path> userTokensDir() {
    return userTokens.map(UserTokenDirectory::directory);
  }

  /** Constant-time: how much of a wrong token matched never shows in the response time. */
  public Optional<Caller> authenticate(String presented) {
    if (userTokens.isPresent()) {
      return userTokens.get().userOf(presented).map(user -> new Caller(Optional.of(user)));
    }
    return shared.accepts(presented) ? Optional.of(Caller.SHARED) : Optional.empty();
  }
}
