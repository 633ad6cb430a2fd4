package dev.claudetelemetry.transcript.retention;

import dev.claudetelemetry.transcript.config.TranscriptConfig;
import dev.claudetelemetry.transcript.metrics.TranscriptMetrics;
import io.agroal.api.AgroalDataSource;
import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Deletes sessions whose last activity is older than {@code transcript.retention.max-age}, with
 * their lines and events (cascade), in small transactions. {@code SKIP LOCKED} passes over a
 * session an upload holds right now, so retention never waits on ingest and ingest never waits on
 * retention.
 */
@Singleton
public class RetentionJob {
  private static final Logger LOG = Logger.getLogger(RetentionJob.class);

  private final AgroalDataSource dataSource;
  private final TranscriptMetrics metrics;
  private final TranscriptConfig.Retention config;

  public RetentionJob(
      AgroalDataSource dataSource, TranscriptMetrics metrics, TranscriptConfig config) {
    this.dataSource = dataSource;
    this.metrics = metrics;
    this.config = config.retention();
  }

  @Scheduled(
      every = "${transcript.retention.every:1h}",
      delayed = "1m",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void scheduled() {
    if (!config.enabled()) {
      return;
    }
    try {
      int deleted = purge(Instant.now().minus(config.maxAge()));
      if (deleted > 0) {
        LOG.infof("retention deleted %d sessions older than %s", deleted, config.maxAge());
      }
    } catch (SQLException e) {
      LOG.warnf("retention run failed (will retry on the next schedule): %s", e.getSQLState());
    }
  }

  /** Deletes every session last active before {@code cutoff}, batch by batch; returns how many. */
  public int purge(Instant cutoff) throws SQLException {
    int total = 0;
    while (true) {
      int deleted = deleteBatch(cutoff);
      total += deleted;
      metrics.retentionDeleted(deleted);
      if (deleted < config.batchSize()) {
        return total;
      }
    }
  }

  private int deleteBatch(Instant cutoff) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                """
        DELETE FROM sessions WHERE id IN (
          SELECT id FROM sessions WHERE last_activity_at < ? ORDER BY last_activity_at LIMIT ?
          FOR UPDATE SKIP LOCKED)""")) {
      ps.setTimestamp(1, Timestamp.from(cutoff));
      ps.setInt(2, config.batchSize());
      return ps.executeUpdate();
    }
  }
}
