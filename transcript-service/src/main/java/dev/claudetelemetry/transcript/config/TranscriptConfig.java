package dev.claudetelemetry.transcript.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Everything transcript-service reads from configuration (env: {@code TRANSCRIPT_*}). */
@ConfigMapping(prefix = "transcript")
public interface TranscriptConfig {

  /**
   * Bearer tokens accepted on the write APIs (comma-separated for rotation). Unset: writes answer
   * 401.
   */
  @WithName("write-token")
  Optional<List<String>> writeTokens();

  /** Bearer tokens accepted on the read APIs and the viewer. Unset: reads answer 401. */
  @WithName("read-token")
  Optional<List<String>> readTokens();

  /**
   * A directory with one file per user (file name = user, content = that user's token), the layout
   * of a mounted Kubernetes Secret. A user's token uploads transcripts of that user's own sessions
   * only, and nothing else.
   */
  Optional<String> userTokensDir();

  /** How often the user token directory is read again (rotation takes effect without a restart). */
  @WithDefault("2s")
  Duration userTokensRefresh();

  Limits limits();

  Redaction redaction();

  Retention retention();

  Search search();

  interface Search {
    /**
     * How many of the newest lines a search looks at first. A page found among them is complete;
     * otherwise the search looks among 4 times as many, then all lines. Large enough that common
     * words fill a page here, small enough to be cheap.
     */
    @WithDefault("50000")
    int recentWindow();
  }

  interface Limits {
    /**
     * Largest request body accepted by the write APIs; larger ones get 413 with the limit in the
     * detail.
     */
    @WithDefault("16777216")
    int maxBodyBytes();

    /**
     * Longest transcript line stored whole. A longer line is stored cut to this size, flagged
     * truncated, and the offset moves past its end, so a sync never gets stuck on it.
     */
    @WithDefault("8388608")
    int maxLineBytes();

    /** Most events in one {@code POST /v1/events} batch. */
    @WithDefault("1000")
    int maxEventsPerBatch();

    /** Characters of a line kept for full-text search (the whole line is still stored). */
    @WithDefault("32768")
    int maxSearchTextChars();
  }

  interface Redaction {
    /**
     * Extra patterns: kind name (a metric label value: lower-case, short) to a Java regex. The
     * named group {@code secret}, if the regex has one, is what gets replaced; otherwise the whole
     * match.
     */
    Map<String, String> extraPatterns();
  }

  interface Retention {
    /** Sessions whose last activity is older than this are deleted. */
    @WithDefault("P90D")
    Duration maxAge();

    /** Sessions deleted per transaction, so a large purge never holds long locks. */
    @WithDefault("200")
    int batchSize();

    /** How often the purge runs (a Quarkus scheduler interval such as 1h or 15m). */
    @WithDefault("1h")
    String every();

    /** Whether the scheduled purge runs at all. */
    @WithDefault("true")
    boolean enabled();
  }
}
