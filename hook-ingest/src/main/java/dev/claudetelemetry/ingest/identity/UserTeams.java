package dev.claudetelemetry.ingest.identity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudetelemetry.ingest.config.IngestConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The {@code team} label: which team a user label belongs to, from a file the platform writes
 * ({@code HOOK_INGEST_USER_TEAMS}, the chart renders it from {@code claudeCode.users[].team} into a
 * ConfigMap). The agent has no say: the user is the request token's, the team is looked up for that
 * user here. A user the file does not name, and every request while no file is configured, gets
 * {@value #NONE}.
 *
 * <p>The file is a JSON object, user name to team name. It is read again every {@code
 * ingest.user-teams-refresh} on a background thread, following the symlinks a mounted ConfigMap
 * swaps on an update, so a changed team takes effect without a restart; requests read an immutable
 * snapshot. A file that cannot be read or is not such an object leaves the previous snapshot in
 * place (a mount being swapped must not relabel everyone); single entries with a name that is not a
 * valid label value are left out, with a log line. The values come from the chart, but are checked
 * anyway: a label value from a file stays bounded and well-formed.
 */
@Singleton
public class UserTeams {

  private static final Logger LOG = Logger.getLogger(UserTeams.class);

  /** The label of a user without a team. */
  public static final String NONE = "none";

  /** The chart writes a few bytes per user; anything this large is not that file. */
  static final int MAX_FILE_BYTES = 1 << 20;

  private static final Pattern USER = Pattern.compile("[a-z0-9][a-z0-9._@-]{0,62}");
  private static final Pattern TEAM = Pattern.compile("[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Optional<Path> file;
  private final Duration refreshEvery;
  private volatile Map<String, String> teams = Map.of();
  private String lastReport;
  private ScheduledExecutorService refresher;

  @Inject
  public UserTeams(IngestConfig config) {
    this(
        config.userTeams().filter(f -> !f.isBlank()).map(f -> Path.of(f.strip())),
        config.userTeamsRefresh());
  }

  UserTeams(Optional<Path> file, Duration refreshEvery) {
    this.file = file;
    this.refreshEvery = refreshEvery;
  }

  /** The team of a user label; {@value #NONE} when the user has none. */
  public String of(String user) {
    return teams.getOrDefault(user, NONE);
  }

  void start(@Observes StartupEvent start) {
    start();
  }

  void stop(@Observes ShutdownEvent stop) {
    close();
  }

  /** Reads the file now and then every {@code refreshEvery}, until {@link #close()}. */
  synchronized void start() {
    if (file.isEmpty() || refresher != null) {
      return;
    }
    reload();
    refresher =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "user-teams-refresh");
              thread.setDaemon(true);
              return thread;
            });
    long millis = Math.max(1, refreshEvery.toMillis());
    refresher.scheduleWithFixedDelay(this::reloadQuietly, millis, millis, TimeUnit.MILLISECONDS);
  }

  synchronized void close() {
    if (refresher != null) {
      refresher.shutdownNow();
      refresher = null;
    }
  }

  /** Reads the file and replaces the snapshot, or keeps the previous one and says why. */
  synchronized void reload() {
    if (file.isEmpty()) {
      return;
    }
    Path path = file.get();
    JsonNode root;
    try (InputStream in = Files.newInputStream(path)) {
      byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
      if (bytes.length > MAX_FILE_BYTES) {
        refuse("the user teams file " + path + " is larger than " + MAX_FILE_BYTES + " bytes");
        return;
      }
      root = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      refuse("the user teams file " + path + " is not JSON: " + e.getOriginalMessage());
      return;
    } catch (IOException e) {
      refuse("cannot read the user teams file " + path + ": " + e);
      return;
    }
    if (root == null || !root.isObject()) {
      refuse("the user teams file " + path + " is not a JSON object of user to team");
      return;
    }
    Map<String, String> loaded = new TreeMap<>();
    Map<String, String> refused = new TreeMap<>();
    root.fields()
        .forEachRemaining(
            entry -> {
              String user = entry.getKey();
              JsonNode team = entry.getValue();
              if (!USER.matcher(user).matches()) {
                refused.put(user, "not a user name");
              } else if (!team.isTextual()
                  || !TEAM.matcher(team.asText()).matches()
                  || team.asText().equals(NONE)
                  || team.asText().equals(UserLabels.UNKNOWN)) {
                refused.put(user, "team " + team + " is not a team name");
              } else {
                loaded.put(user, team.asText());
              }
            });
    teams = Map.copyOf(loaded);
    String summary = "user teams from " + path + ": " + loaded;
    if (refused.isEmpty()) {
      report(summary, Logger.Level.INFO);
    } else {
      report(summary + "; left out (their team is " + NONE + "): " + refused, Logger.Level.WARN);
    }
  }

  private void refuse(String reason) {
    report(
        reason
            + (teams.isEmpty() ? "; every user is team " + NONE : "; kept the teams read before"),
        Logger.Level.ERROR);
  }

  /** Logs only what differs from the last reading, so a steady file stays quiet. */
  private void report(String text, Logger.Level level) {
    if (!text.equals(lastReport)) {
      lastReport = text;
      LOG.log(level, text);
    }
  }

  private void reloadQuietly() {
    try {
      reload();
    } catch (RuntimeException e) {
      // The refresher must survive anything one reading throws; the next one tries again.
      LOG.error("reading the user teams file failed", e);
    }
  }
}
