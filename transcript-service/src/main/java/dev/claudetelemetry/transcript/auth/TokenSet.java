package dev.claudetelemetry.transcript.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;

/**
 * The bearer tokens one API accepts (several during a rotation). Compared in constant time: each
 * candidate is hashed and every configured token is checked, so neither the length nor the first
 * differing byte leaks.
 */
public final class TokenSet {
  private final List<byte[]> digests;

  private TokenSet(List<byte[]> digests) {
    this.digests = digests;
  }

  public static TokenSet of(Optional<List<String>> configured) {
    return new TokenSet(
        configured.orElse(List.of()).stream()
            .map(String::trim)
            .filter(t -> !t.isEmpty())
            .map(TokenSet::sha256)
            .toList());
  }

  public boolean isConfigured() {
    return !digests.isEmpty();
  }

  public boolean accepts(String candidate) {
    if (candidate == null || digests.isEmpty()) {
      return false;
    }
    byte[] presented = sha256(candidate);
    boolean match = false;
    for (byte[] digest : digests) {
      match |= MessageDigest.isEqual(digest, presented);
    }
    return match;
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }
}
