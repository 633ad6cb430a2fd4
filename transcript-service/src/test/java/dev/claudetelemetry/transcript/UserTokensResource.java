package dev.claudetelemetry.transcript;

import dev.claudetelemetry.testsupport.SecretMount;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/** alice's and bob's own tokens in a directory laid out like a mounted Kubernetes Secret. */
public class UserTokensResource implements QuarkusTestResourceLifecycleManager {
  static final String ALICE = "alice-own-token-2e7d91c0aa";
  static final String BOB = "bob-own-token-64f0b3e815";
  static final Map<String, String> TOKENS = Map.of("alice", ALICE + "\n", "bob", BOB + "\n");

  private static volatile SecretMount mount;

  @Override
  public Map<String, String> start() {
    try {
      mount =
          new SecretMount(Files.createTempDirectory("user-tokens").resolve("mount")).write(TOKENS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Map.of(
        "transcript.user-tokens-dir",
        mount.dir().toString(),
        "transcript.user-tokens-refresh",
        "50ms");
  }

  @Override
  public void stop() {}

  static SecretMount mount() {
    return mount;
  }
}
