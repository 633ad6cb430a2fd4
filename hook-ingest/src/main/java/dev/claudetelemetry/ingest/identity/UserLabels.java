package dev.claudetelemetry.ingest.identity;

import dev.claudetelemetry.ingest.config.IngestConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code user} label: the user of the request's token when users have tokens of their own,
 * otherwise (one shared development token) {@code X-Claude-Telemetry-User}. Validated and, when an
 * allowlist is configured, limited to it, so the number of series stays bounded whatever is sent.
 */
@Singleton
public class UserLabels {

  public static final String INVALID = "invalid";
  public static final String UNKNOWN = "unknown";

  private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9._@-]{0,62}");

  private final String defaultUser;
  private final Set<String> allowed;

  @Inject
  public UserLabels(IngestConfig config) {
    this(config.defaultUser(), config.users().orElse(null));
  }

  UserLabels(String defaultUser, Set<String> allowed) {
    this.allowed =
        allowed == null
            ? null
            : allowed.stream()
                .map(UserLabels::lower)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    this.defaultUser = label(defaultUser, this.allowed);
  }

  /** The label for the user a request's own token belongs to. */
  public String forAuthenticated(String user) {
    return label(user, allowed);
  }

  /** The label for a request's header value; {@code null} or blank means the header was absent. */
  public String forHeader(String header) {
    if (header == null || header.isBlank()) {
      return defaultUser;
    }
    return label(header.strip(), allowed);
  }

  private static String label(String name, Set<String> allowed) {
    String lowered = lower(name);
    if (!VALID.matcher(lowered).matches()) {
      return INVALID;
    }
    if (allowed != null && !allowed.contains(lowered)) {
      return UNKNOWN;
    }
    return lowered;
  }

  private static String lower(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}
