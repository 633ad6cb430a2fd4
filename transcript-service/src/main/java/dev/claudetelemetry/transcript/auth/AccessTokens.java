package dev.claudetelemetry.transcript.auth;

import dev.claudetelemetry.servicesupport.auth.TokenSet;
import dev.claudetelemetry.servicesupport.auth.UserTokenDirectory;
import dev.claudetelemetry.transcript.config.TranscriptConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The service write tokens, the read tokens (both read once from configuration) and the per-user
 * tokens (a directory followed while running); says at startup which APIs stay closed.
 */
@Singleton
public class AccessTokens {
  private static final Logger LOG = Logger.getLogger(AccessTokens.class);

  private final TokenSet write;
  private final TokenSet read;
  private final Optional<UserTokenDirectory> users;

  public AccessTokens(TranscriptConfig config) {
    this.write = TokenSet.ofList(config.writeTokens());
    this.read = TokenSet.ofList(config.readTokens());
    List<String> serviceTokens = new ArrayList<>();
    config.writeTokens().ifPresent(serviceTokens::addAll);
    config.readTokens().ifPresent(serviceTokens::addAll);
    this.users =
        UserTokenDirectory.configured(
            config.userTokensDir(), serviceTokens, config.userTokensRefresh());
  }

  void onStart(@Observes StartupEvent event) {
    users.ifPresent(UserTokenDirectory::start);
    if (!write.isConfigured()) {
      LOG.warn(
          "TRANSCRIPT_WRITE_TOKEN is not set: /v1/events and /v1/logs answer 401 to every request"
              + " until it is"
              + (users.isPresent() ? "" : ", and so does /v1/transcripts (no user tokens either)"));
    }
    if (!read.isConfigured()) {
      LOG.warn(
          "TRANSCRIPT_READ_TOKEN is not set: the read APIs (/v1/sessions, /v1/search) and the viewer"
              + " (/sessions) answer 401 to every request until it is");
    }
  }

  void onStop(@Observes ShutdownEvent event) {
    users.ifPresent(UserTokenDirectory::close);
  }

  /** The service token(s): hook-ingest's and the collector's. */
  public TokenSet write() {
    return write;
  }

  public TokenSet read() {
    return read;
  }

  /** The user a user token belongs to; empty without the directory or for any other token. */
  public Optional<String> userOf(String token) {
    return users.flatMap(directory -> directory.userOf(token));
  }

  public boolean hasUserTokens() {
    return users.isPresent();
  }
}
