package dev.claudetelemetry.policy;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything policy-service can be told, under {@code policy.*} (or the environment variables named
 * below).
 */
@ConfigMapping(prefix = "policy")
public interface PolicyServiceConfig {

  /**
   * The policy file ({@code POLICY_FILE}); may be a ConfigMap volume projection ({@code ..data}
   * symlinks). Without it the shipped default policy is active.
   */
  Optional<String> file();

  /** How often the file is re-read as a safety net besides directory watching. */
  @WithDefault("2s")
  Duration recheckInterval();

  /**
   * Bearer token required on {@code /v1/*} ({@code POLICY_SERVICE_TOKEN}); no token, no check (the
   * NetworkPolicy lets only hook-ingest in).
   */
  @WithName("service-token")
  Optional<String> serviceToken();

  /**
   * Also follow symlinks that exist on this machine when normalising paths: only where the service
   * shares the agent's file system (local mode). In a cluster the service's disk is not the pod's,
   * and its links would give wrong answers; links the command itself creates are followed anyway.
   */
  @WithDefault("false")
  boolean followSymlinks();

  Shell shell();

  Limits limits();

  interface Shell {
    /** How many nested {@code bash -c} / {@code eval} strings are parsed again. */
    @WithDefault("5")
    int maxDepth();

    /** Longer Bash commands are not parsed and get the policy's {@code unparseable} verdict. */
    @WithDefault("65536")
    int maxCommandBytes();
  }

  interface Limits {
    /** Largest request body; larger ones get 413. */
    @WithDefault("1048576")
    int maxBodyBytes();

    /** Deepest JSON nesting accepted in a request. */
    @WithDefault("64")
    int maxJsonDepth();

    /** Most inputs in one {@code /v1/decisions:batch} request. */
    @WithDefault("500")
    int maxBatchSize();
  }
}
