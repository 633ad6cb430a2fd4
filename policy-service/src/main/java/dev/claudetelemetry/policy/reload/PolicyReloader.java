package dev.claudetelemetry.policy.reload;

import dev.claudetelemetry.policy.metrics.PolicyMetrics;
import dev.claudetelemetry.policy.rules.Policy;
import dev.claudetelemetry.policy.rules.PolicyLoader;
import dev.claudetelemetry.policy.rules.PolicyRefusedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Keeps {@link ActivePolicy} in step with the policy file.
 *
 * <p>A ConfigMap volume updates by swapping its {@code ..data} symlink; no event ever names the
 * file itself. So the whole directory is watched and any event triggers a re-read through the path,
 * and the file is also re-read every {@code recheckInterval} in case an event is missed. Content is
 * compared by sha256, so only a real change reloads. A policy that is refused, and a file that
 * disappears, leave the last good policy in force.
 */
public final class PolicyReloader implements AutoCloseable {

  public static final String DEFAULT_RESOURCE = "policies/default-policy.yaml";
  public static final String DEFAULT_ORIGIN = "classpath:default";
  private static final Logger LOG = Logger.getLogger(PolicyReloader.class);

  private final Optional<Path> file;
  private final Duration recheckInterval;
  private final PolicyLoader loader;
  private final ActivePolicy active;
  private final PolicyMetrics metrics;
  private final Clock clock;
  private String lastSeenSha;
  private boolean missing;
  private Thread watcher;
  private volatile boolean running;

  public PolicyReloader(
      Optional<Path> file,
      Duration recheckInterval,
      PolicyLoader loader,
      ActivePolicy active,
      PolicyMetrics metrics,
      Clock clock) {
    this.file = file;
    this.recheckInterval = recheckInterval;
    this.loader = loader;
    this.active = active;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** Loads the configured file, or the shipped default when there is none or it is refused. */
  public synchronized void start() {
    if (file.isEmpty()) {
      install(loadDefault(), "default", null);
      return;
    }
    check();
    if (!active.present()) {
      ReloadStatus failure = active.status();
      Policy fallback = loadDefault();
      active.set(fallback);
      metrics.activePolicy(fallback.version(), fallback.sha256());
      LOG.warnf(
          "Policy file %s could not be used at startup; the shipped default policy %s is active until it can",
          file.get(), fallback.version());
      active.status(
          new ReloadStatus(
              failure.result(),
              failure.detail() + " (the shipped default policy is active)",
              failure.at()));
    }
    running = true;
    watcher = new Thread(this::watch, "policy-file-watcher");
    watcher.setDaemon(true);
    watcher.start();
  }

  /** Re-reads the file and installs it if its content changed and it is valid. */
  public synchronized void check() {
    if (file.isEmpty()) {
      return;
    }
    Path path = file.get();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      if (!missing) {
        missing = true;
        metrics.reload("missing");
        String detail = "policy file " + path + " is missing; " + lastGood();
        LOG.warn(detail);
        active.status(new ReloadStatus("missing", detail, clock.instant()));
      }
      return;
    } catch (IOException e) {
      String detail =
          "policy file " + path + " cannot be read (" + e.getMessage() + "); " + lastGood();
      if (!detail.equals(active.status() == null ? null : active.status().detail())) {
        LOG.warn(detail);
        active.status(new ReloadStatus("missing", detail, clock.instant()));
      }
      return;
    }
    boolean reappeared = missing;
    missing = false;
    String sha = PolicyLoader.sha256(bytes);
    if (sha.equals(lastSeenSha)) {
      if (reappeared) {
        active.status(new ReloadStatus("applied", null, clock.instant()));
      }
      return;
    }
    lastSeenSha = sha;
    try {
      install(loader.load(bytes, path.toString()), "applied", null);
    } catch (PolicyRefusedException e) {
      metrics.reload("refused");
      String detail =
          "policy file "
              + path
              + " (sha256 "
              + sha
              + ") was refused: "
              + e.getMessage()
              + "; "
              + lastGood();
      LOG.error(detail);
      active.status(new ReloadStatus("refused", detail, clock.instant()));
    }
  }

  private void install(Policy policy, String result, String detail) {
    active.set(policy);
    metrics.activePolicy(policy.version(), policy.sha256());
    if (!result.equals("default")) {
      metrics.reload(result);
    }
    active.status(new ReloadStatus(result, detail, clock.instant()));
    LOG.infof(
        "Policy %s version %s (sha256 %s, mode %s, %d rules) is active, from %s",
        policy.name(),
        policy.version(),
        policy.sha256(),
        policy.mode().wireName(),
        policy.rules().size(),
        policy.origin());
  }

  private String lastGood() {
    return active.present()
        ? "keeping version " + active.get().version() + " from " + active.get().origin()
        : "no good policy loaded yet";
  }

  private Policy loadDefault() {
    try (InputStream in =
        PolicyReloader.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULT_RESOURCE + " is missing from the classpath");
      }
      return loader.load(in.readAllBytes(), DEFAULT_ORIGIN);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (PolicyRefusedException e) {
      throw new IllegalStateException(
          "the shipped default policy is refused: " + e.getMessage(), e);
    }
  }

  private void watch() {
    Path directory = file.get().toAbsolutePath().getParent();
    WatchService service = null;
    while (running) {
      try {
        if (service == null && directory != null && Files.isDirectory(directory)) {
          service = FileSystems.getDefault().newWatchService();
          directory.register(
              service,
              StandardWatchEventKinds.ENTRY_CREATE,
              StandardWatchEventKinds.ENTRY_MODIFY,
              StandardWatchEventKinds.ENTRY_DELETE);
          // A change between the last read and this registration raised no event: read once now,
          // or it would wait for the next safety-net re-read.
          check();
        }
        if (service == null) {
          Thread.sleep(recheckInterval.toMillis());
        } else {
          WatchKey key = service.poll(recheckInterval.toMillis(), TimeUnit.MILLISECONDS);
          if (key != null) {
            key.pollEvents();
            if (!key.reset()) {
              service.close();
              service = null;
            }
            // A ConfigMap update is several events in a row; let them land before reading.
            Thread.sleep(50);
          }
        }
        check();
      } catch (InterruptedException | ClosedWatchServiceException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (IOException | RuntimeException e) {
        LOG.warnf("Watching %s failed (%s); retrying", directory, e.toString());
        service = null;
        sleepQuietly();
      }
    }
    if (service != null) {
      try {
        service.close();
      } catch (IOException ignored) {
        // closing on shutdown; nothing to do
      }
    }
  }

  private void sleepQuietly() {
    try {
      Thread.sleep(recheckInterval.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  @Override
  public void close() {
    running = false;
    if (watcher != null) {
      watcher.interrupt();
    }
  }
}
