package dev.claudetelemetry.policy.reload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claudetelemetry.policy.metrics.PolicyMetrics;
import dev.claudetelemetry.policy.rules.Decision;
import dev.claudetelemetry.policy.rules.Policies;
import dev.claudetelemetry.policy.rules.Policy;
import dev.claudetelemetry.policy.rules.PolicyEvaluator;
import dev.claudetelemetry.policy.rules.Verdict;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyReloaderTest {

  @TempDir Path dir;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final ActivePolicy active = new ActivePolicy();
  PolicyReloader reloader;

  static String policy(String version) throws IOException {
    return FilePolicyReloadTest.policy("enforce", version);
  }

  /**
   * The safety-net re-read set to an hour: within a test, only the directory watcher (or a direct
   * {@code check()}) can pick a change up.
   */
  PolicyReloader reloader(Path file) {
    reloader =
        new PolicyReloader(
            Optional.of(file),
            Duration.ofHours(1),
            Policies.loader(),
            active,
            new PolicyMetrics(registry),
            Clock.systemUTC());
    return reloader;
  }

  double reloads(String result) {
    var counter = registry.find("claude.policy.reloads").tag("result", result).counter();
    return counter == null ? 0 : counter.count();
  }

  @AfterEach
  void stop() {
    if (reloader != null) {
      reloader.close();
    }
  }

  @Test
  void shouldUseShippedDefaultWithoutFile() {
    new PolicyReloader(
            Optional.empty(),
            Duration.ofSeconds(2),
            Policies.loader(),
            active,
            new PolicyMetrics(registry),
            Clock.systemUTC())
        .start();

    assertThat(active.get().origin()).isEqualTo(PolicyReloader.DEFAULT_ORIGIN);
    assertThat(active.status().result()).isEqualTo("default");
  }

  @Test
  void shouldPickUpValidUpdateThroughDataSymlinkSwapWithinTenSeconds() throws IOException {
    ConfigMapVolume volume = new ConfigMapVolume(dir).write(policy("v1"));
    reloader(volume.file()).start();
    assertThat(active.get().version()).isEqualTo("v1");

    volume.write(policy("v2"));

    await().atMost(Duration.ofSeconds(10)).until(() -> active.get().version().equals("v2"));
    assertThat(reloads("applied")).isEqualTo(2.0);
    assertThat(registry.find("claude.policy.info").tag("version", "v2").gauge()).isNotNull();
    assertThat(registry.find("claude.policy.info").tag("version", "v1").gauge())
        .as("old info series removed")
        .isNull();
  }

  @Test
  void shouldPickUpInPlaceEditOfPlainFile() throws IOException {
    Path file = dir.resolve("policy.yaml");
    Files.writeString(file, policy("plain-1"));
    reloader(file).start();

    Files.writeString(file, policy("plain-2"));

    await().atMost(Duration.ofSeconds(10)).until(() -> active.get().version().equals("plain-2"));
  }

  @Test
  void shouldKeepLastGoodPolicyWhenUpdateIsRefused() throws IOException {
    ConfigMapVolume volume = new ConfigMapVolume(dir).write(policy("good"));
    reloader(volume.file()).start();

    volume.write(policy("bad").replace("rules:\n", "rules:\n  - id: Not A Valid Id\n"));
    reloader.check();

    assertThat(active.get().version()).isEqualTo("good");
    assertThat(active.status().result()).isEqualTo("refused");
    assertThat(active.status().detail()).contains("schema").contains("keeping version good");
    assertThat(reloads("refused")).isEqualTo(1.0);

    reloader.check();
    assertThat(reloads("refused"))
        .as("the same refused content is not counted again")
        .isEqualTo(1.0);
  }

  @Test
  void shouldKeepLastGoodPolicyWhenFileIsDeletedAndRecoverWhenItReturns() throws IOException {
    ConfigMapVolume volume = new ConfigMapVolume(dir).write(policy("before-delete"));
    reloader(volume.file()).start();

    volume.removeKey();
    reloader.check();

    assertThat(active.get().version()).isEqualTo("before-delete");
    assertThat(active.status().result()).isEqualTo("missing");
    assertThat(active.status().detail())
        .contains("missing")
        .contains("keeping version before-delete");
    assertThat(reloads("missing")).isEqualTo(1.0);

    volume.write(policy("after-delete"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> active.get().version().equals("after-delete"));
    assertThat(active.status().result()).isEqualTo("applied");
  }

  @Test
  void shouldFallBackToShippedDefaultWhenConfiguredFileIsBadAtStartup() throws IOException {
    Path file = dir.resolve("policy.yaml");
    Files.writeString(file, "apiVersion: nope\n");
    reloader(file).start();

    assertThat(active.get().origin()).isEqualTo(PolicyReloader.DEFAULT_ORIGIN);
    assertThat(active.status().result()).isEqualTo("refused");
    assertThat(active.status().detail()).contains("shipped default policy is active");
  }

  @Test
  void shouldNeverFailADecisionWhileThePolicyIsSwapped() throws Exception {
    ConfigMapVolume volume = new ConfigMapVolume(dir).write(policy("swap-0"));
    reloader(volume.file()).start();
    PolicyEvaluator evaluator = Policies.evaluator();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger decisions = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread client =
        new Thread(
            () -> {
              while (running.get()) {
                try {
                  Policy policy = active.get();
                  Decision decision = evaluator.evaluate(policy, Policies.bash("rm -rf /"));
                  if (decision.verdict() != Verdict.DENY) {
                    throw new AssertionError(
                        "policy " + policy.version() + " answered " + decision);
                  }
                  decisions.incrementAndGet();
                } catch (Throwable t) {
                  failure.compareAndSet(null, t);
                }
              }
            });
    client.start();
    for (int i = 1; i <= 5; i++) {
      volume.write(policy("swap-" + i));
      reloader.check();
    }
    running.set(false);
    client.join();

    assertThat(failure.get()).isNull();
    assertThat(decisions.get()).isPositive();
    assertThat(active.get().version()).isEqualTo("swap-5");
  }
}
