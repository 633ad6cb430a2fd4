package dev.claudetelemetry.ingest.config;

import dev.claudetelemetry.ingest.guard.FailMode;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Everything hook-ingest can be told; the env names each key comes from are in
 * application.properties.
 */
@ConfigMapping(prefix = "ingest")
public interface IngestConfig {

  /**
   * The one bearer token of every client when there are no per-user tokens (development, one user);
   * the user then comes from {@code X-Claude-Telemetry-User}. Ignored when {@link #userTokensDir()}
   * is set. Neither set: every hook post is refused.
   */
  Optional<String> token();

  /**
   * A directory with one file per user (file name = user, content = that user's token), the layout
   * of a mounted Kubernetes Secret. A request acts as its token's user.
   */
  Optional<String> userTokensDir();

  /** How often the user token directory is read again (rotation takes effect without a restart). */
  @WithDefault("2s")
  Duration userTokensRefresh();

  /**
   * A JSON file of user name to team name (the chart's ConfigMap of {@code
   * claudeCode.users[].team}): the {@code team} label of each user's metrics. Unset: every user's
   * team is {@code none}.
   */
  Optional<String> userTeams();

  /** How often the user teams file is read again (a changed team applies without a restart). */
  @WithDefault("2s")
  Duration userTeamsRefresh();

  /** The {@code user} label when a request carries no {@code X-Claude-Telemetry-User} header. */
  @WithDefault("unknown")
  String defaultUser();

  /**
   * When set, only these users become label values; any other name is counted as {@code unknown}.
   */
  Optional<Set<String>> users();

  /**
   * Deepest JSON nesting accepted in a hook body; deeper bodies are refused before they cost
   * anything.
   */
  @WithDefault("64")
  int maxJsonDepth();

  Guard guard();

  ToolCalls toolCalls();

  Forward forward();

  /** Asking policy-service about PreToolUse and PermissionRequest. */
  interface Guard {
    /** Base URL of policy-service; unset means every guarded event gets the fail-mode answer. */
    Optional<URI> policyUrl();

    /** Bearer token for policy-service, when it requires one. */
    Optional<String> policyToken();

    /**
     * Whole round trip to policy-service; the hook script gives the client's round trip about 5 s.
     */
    @WithDefault("2s")
    Duration timeout();

    /** What to answer when policy-service gives no valid answer in time. */
    @WithDefault("closed")
    FailMode failMode();

    /** Whom the deny reason tells the user to call. */
    @WithDefault("your platform team")
    String contact();

    /** Kept-alive connections to policy-service, per event loop. */
    @WithDefault("32")
    int maxConnections();
  }

  /** The memory that makes each tool call count once. */
  interface ToolCalls {
    /** How many recently counted tool calls are remembered. */
    @WithDefault("100000")
    int maxTracked();

    /** How long a counted tool call is remembered (its duplicate arrives milliseconds later). */
    @WithDefault("15m")
    Duration ttl();
  }

  /** Forwarding every event to transcript-service. */
  interface Forward {
    /** Base URL of transcript-service; unset turns forwarding off. */
    Optional<URI> url();

    /** Bearer token for transcript-service's write API. */
    Optional<String> token();

    /** Events held while transcript-service is slow or down; more are dropped and counted. */
    @WithDefault("10000")
    int bufferEvents();

    /** Bytes of event JSON held at most, so large events cannot exhaust the heap. */
    @WithDefault("64M")
    MemorySize bufferBytes();

    /** Events per batch at most. */
    @WithDefault("200")
    int batchSize();

    /** Bytes of events per batch at most (transcript-service accepts bodies up to 17 MiB). */
    @WithDefault("8M")
    MemorySize batchBytes();

    /**
     * How long a batch waits to fill before it is sent. transcript-service and PostgreSQL pay
     * mostly per request, not per event, and a session sends a few events a second: a second
     * gathers the events of several tool calls into one request. They wait in the spool meanwhile,
     * already durable; the audit trail shows them up to this much later.
     */
    @WithDefault("1s")
    Duration linger();

    @WithDefault("10s")
    Duration requestTimeout();

    @WithDefault("250ms")
    Duration initialBackoff();

    @WithDefault("30s")
    Duration maxBackoff();

    /** How long shutdown keeps trying to deliver what is buffered. */
    @WithDefault("5s")
    Duration shutdownGrace();

    Spool spool();

    /** The backlog on disk; without a directory, the buffer is in memory. */
    interface Spool {
      /** HOOK_INGEST_SPOOL_DIR: where the spool's segment files are kept. */
      Optional<Path> dir();

      /** All segment files together at most; beyond it events are refused and counted. */
      @WithDefault("1G")
      MemorySize maxBytes();

      /** A segment is closed and a new one begun past this size. */
      @WithDefault("16M")
      MemorySize segmentBytes();
    }
  }
}
