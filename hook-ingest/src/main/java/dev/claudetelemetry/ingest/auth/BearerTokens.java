package dev.claudetelemetry.ingest.auth;

import dev.claudetelemetry.ingest.config.IngestConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The hook token check. With no token configured nothing is let in: the service is never open by
 * default. Application-scoped (created on first use) because the filter using it is built before
 * runtime configuration is available.
 */
@ApplicationScoped
public class BearerTokens {

  private static final Logger LOG = Logger.getLogger(BearerTokens.class);

  /** SHA-256 of the token: comparing digests takes the same time whatever the presented length. */
  private final Optional<byte[]> expectedDigest;

  BearerTokens(IngestConfig config) {
    this.expectedDigest =
        config.token().filter(token -> !token.isBlank()).map(BearerTokens::digest);
  }

  void announce(@Observes StartupEvent start) {
    if (expectedDigest.isEmpty()) {
      LOG.warn(
          "HOOK_INGEST_TOKEN is not set: every POST /v1/hooks is refused with 401 until it is");
    }
  }

  public boolean configured() {
    return expectedDigest.isPresent();
  }

  /** Constant-time: how much of a wrong token matched never shows in the response time. */
  public boolean matches(String presented) {
    return expectedDigest.isPresent()
        && MessageDigest.isEqual(digest(presented), expectedDigest.get());
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
