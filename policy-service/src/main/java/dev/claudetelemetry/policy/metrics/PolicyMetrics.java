package dev.claudetelemetry.policy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Every policy-service meter, named once here (see policy-service/metrics.md). */
public class PolicyMetrics {

  /** Tool names Claude Code sends; anything else is counted as "other" so labels stay bounded. */
  static final Set<String> KNOWN_TOOLS =
      Set.of(
          "Bash",
          "Read",
          "Write",
          "Edit",
          "MultiEdit",
          "NotebookEdit",
          "Grep",
          "Glob",
          "LS",
          "Agent",
          "Task",
          "WebFetch",
          "WebSearch",
          "TodoWrite",
          "NotebookRead",
          "BashOutput",
          "KillShell",
          "ExitPlanMode");

  static final String ENFORCED = "enforced";
  static final String DRYRUN = "dryrun";

  private final MeterRegistry registry;
  private final Timer evaluation;
  private Gauge info;

  public PolicyMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.evaluation =
        Timer.builder("claude.policy.evaluation")
            .description("Time to judge one tool call against the active policy")
            .serviceLevelObjectives(
                Duration.ofNanos(10_000),
                Duration.ofNanos(25_000),
                Duration.ofNanos(50_000),
                Duration.ofNanos(100_000),
                Duration.ofNanos(200_000),
                Duration.ofNanos(500_000),
                Duration.ofMillis(1),
                Duration.ofMillis(2),
                Duration.ofMillis(5),
                Duration.ofMillis(10),
                Duration.ofMillis(50))
            .register(registry);
  }

  public void decision(String verdict, String ruleId, String tool, String mode, long nanos) {
    decisions(verdict, ruleId, tool, mode, ENFORCED);
    evaluation.record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * One rule in {@code enforcement: dryrun} that matched a call, counted with what it would have
   * decided. The same counter as the decisions, told apart by {@code enforcement}, so one query
   * puts what a rule would do beside what the enforced rules do.
   */
  public void dryRunMatch(String verdict, String ruleId, String tool, String mode) {
    decisions(verdict, ruleId, tool, mode, DRYRUN);
  }

  private void decisions(
      String verdict, String ruleId, String tool, String mode, String enforcement) {
    Counter.builder("claude.policy.decisions")
        .description(
            "Tool calls judged, by verdict, deciding rule (none when no rule matched), tool and mode"
                + " (enforcement=enforced, one per call); and dry-run rules that matched, by what"
                + " they would have decided (enforcement=dryrun)")
        .tag("decision", verdict)
        .tag("rule", ruleId == null ? "none" : ruleId)
        .tag("tool", boundedTool(tool))
        .tag("mode", mode)
        .tag("enforcement", enforcement)
        .register(registry)
        .increment();
  }

  /**
   * @param result applied, refused or missing
   */
  public void reload(String result) {
    Counter.builder("claude.policy.reloads")
        .description(
            "Policy load attempts by result: applied, refused (last good stays), missing (file gone)")
        .tag("result", result)
        .register(registry)
        .increment();
  }

  public synchronized void activePolicy(String version, String sha256) {
    if (info != null) {
      registry.remove(info);
    }
    info =
        Gauge.builder("claude.policy.info", () -> 1)
            .description("The active policy: always 1, labelled with its version and sha256")
            .tag("version", version)
            .tag("sha", sha256)
            .register(registry);
  }

  static String boundedTool(String tool) {
    if (tool == null) {
      return "other";
    }
    return KNOWN_TOOLS.contains(tool) ? tool : "other";
  }
}
