package dev.claudetelemetry.policy.reload;

import dev.claudetelemetry.policy.PolicyServiceConfig;
import dev.claudetelemetry.policy.metrics.PolicyMetrics;
import dev.claudetelemetry.policy.rules.PolicyLoader;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;

/** Loads the policy before the first request and watches it until shutdown. */
@ApplicationScoped
public class PolicyLifecycle {

  private final ActivePolicy active = new ActivePolicy();
  private final PolicyReloader reloader;

  public PolicyLifecycle(PolicyServiceConfig config, PolicyLoader loader, PolicyMetrics metrics) {
    this.reloader =
        new PolicyReloader(
            config.file().filter(f -> !f.isBlank()).map(Path::of),
            config.recheckInterval(),
            loader,
            active,
            metrics,
            Clock.systemUTC());
  }

  void onStart(@Observes StartupEvent event) {
    reloader.start();
  }

  void onStop(@Observes ShutdownEvent event) {
    reloader.close();
  }

  @Produces
  @Singleton
  ActivePolicy activePolicy() {
    return active;
  }

  /** For tests that must not wait for the watcher. */
  public void checkNow() {
    reloader.check();
  }
}
