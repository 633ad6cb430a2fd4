package dev.claudetelemetry.servicesupport.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Bearer tokens are kept and compared as SHA-256 digests only. Two digests always have the same
 * length, so {@link MessageDigest#isEqual} over them takes the same time whatever was presented:
 * neither a wrong token's length nor how many of its first bytes were right shows in the response
 * time, and no token is held in memory as text longer than its check takes.
 */
public final class TokenDigest {
  private TokenDigest() {}

  public static byte[] of(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** Constant-time in the content of both digests. */
  public static boolean equal(byte[] a, byte[] b) {
    return MessageDigest.isEqual(a, b);
  }
}
