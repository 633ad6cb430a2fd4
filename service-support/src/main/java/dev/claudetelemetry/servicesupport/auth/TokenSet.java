package dev.claudetelemetry.servicesupport.auth;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The service tokens one API accepts: usually one, several while a token is being rotated. Kept as
 * digests and checked in constant time: the presented token is digested once and compared with
 * every configured digest without stopping at a match, so the time taken says nothing about which
 * token matched or how close a wrong one came.
 */
public final class TokenSet {
  private static final TokenSet NONE = new TokenSet(List.of());

  private final List<byte[]> digests;

  private TokenSet(List<byte[]> digests) {
    this.digests = digests;
  }

  /** Blank entries are left out and surrounding whitespace is ignored (env and config values). */
  public static TokenSet of(Collection<String> tokens) {
    return new TokenSet(
        tokens.stream()
            .filter(Objects::nonNull)
            .map(String::strip)
            .filter(t -> !t.isEmpty())
            .map(TokenDigest::of)
            .toList());
  }

  /** A list-valued setting ({@code A,B} during a rotation), possibly unset. */
  public static TokenSet ofList(Optional<? extends Collection<String>> tokens) {
    return tokens.map(TokenSet::of).orElse(NONE);
  }

  /** A single-valued setting, possibly unset. */
  public static TokenSet ofOne(Optional<String> token) {
    return token.map(t -> of(List.of(t))).orElse(NONE);
  }

  /** False when no token is configured: the API it guards then accepts nobody. */
  public boolean isConfigured() {
    return !digests.isEmpty();
  }

  public boolean accepts(String presented) {
    if (presented == null || digests.isEmpty()) {
      return false;
    }
    byte[] digest = TokenDigest.of(presented);
    boolean match = false;
    for (byte[] candidate : digests) {
      match |= TokenDigest.equal(candidate, digest);
    }
    return match;
  }
}
