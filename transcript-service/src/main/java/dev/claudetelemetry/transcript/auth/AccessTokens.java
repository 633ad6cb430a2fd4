package dev.claudetelemetry.transcript.auth;

import dev.claudetelemetry.transcript.config.TranscriptConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * The write and read token sets, read once from configuration; says at startup which APIs stay
 * closed.
 */
@Singleton
public class AccessTokens {
  private static final Logger LOG = Logger.getLogger(AccessTokens.class);

  private final TokenSet write;
  private final TokenSet read;

  public AccessTokens(TranscriptConfig config) {
    this.write = TokenSet.of(config.writeTokens());
    this.read = TokenSet.of(config.readTokens());
  }

  void onStart(@Observes StartupEvent event) {
    if (!write.isConfigured()) {
      LOG.warn(
          "TRANSCRIPT_WRITE_TOKEN is not set: the write APIs (/v1/events, /v1/transcripts, /v1/logs)"
              + " answer 401 to every request until it is");
    }
    if (!read.isConfigured()) {
      LOG.warn(
          "TRANSCRIPT_READ_TOKEN is not set: the read APIs (/v1/sessions, /v1/search) and the viewer"
              + " (/sessions) answer 401 to every request until it is");
    }
  }

  public TokenSet write() {
    return write;
  }

  public TokenSet read() {
    return read;
  }
}
