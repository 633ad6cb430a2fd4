package dev.claudetelemetry.ingest.metrics;

import dev.claudetelemetry.ingest.guard.DecisionSource;
import dev.claudetelemetry.ingest.guard.GuardFailure;
import dev.claudetelemetry.ingest.problem.Rejection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Every meter hook-ingest publishes, declared here and nowhere else (documented in metrics.md).
 * Label values arrive already bounded (see {@code Labels}); this class never sees a session id or a
 * prompt. Every meter with a {@code user} label has the user's {@code team} beside it ({@code
 * UserTeams}), so spend and activity add up per team the same way everywhere.
 */
@Singleton
public class HookMetrics {

  /** Tool calls run from milliseconds to many minutes. */
  private static final Duration[] TOOL_DURATION_BUCKETS =
      seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600);

  /**
   * policy-service answers in milliseconds; the guard gives up after its timeout (2 s by default).
   */
  private static final Duration[] POLICY_REQUEST_BUCKETS =
      seconds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5);

  public enum Outcome {
    succeeded,
    failed,
    denied,
    interrupted
  }

  /** Why a forwarded event was given up on. */
  public enum DropReason {
    /** The memory buffer (no spool) was full. */
    buffer_full,
    /** The spool was at its byte bound. */
    spool_full,
    /** The disk refused the spool's write or sync. */
    spool_error,
    /** transcript-service refused the event for good. */
    rejected,
    /** Arrived while shutting down, or (memory buffer) not delivered within the grace. */
    shutdown
  }

  /**
   * Syncs take from tens of microseconds (page cache on fast disks) to seconds (a stalled disk).
   */
  private static final Duration[] SPOOL_SYNC_BUCKETS =
      seconds(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5);

  /** Distinct dry-run rule ids given a series of their own. */
  static final int MAX_DRY_RUN_RULES = 64;

  private final MeterRegistry registry;
  private final Set<String> dryRunRules = ConcurrentHashMap.newKeySet();

  // The meters counted on every event, by their label values: registering a meter again finds the
  // same one, but builds and sorts its tags and hashes its id first, for every increment.
  private final Map<List<String>, Counter> events = new ConcurrentHashMap<>();
  private final Map<List<String>, Counter> toolCalls = new ConcurrentHashMap<>();
  private final Map<String, Timer> toolDurations = new ConcurrentHashMap<>();
  private final Map<List<String>, Counter> guardDecisions = new ConcurrentHashMap<>();
  private final Map<String, Meter> unlabelled = new ConcurrentHashMap<>();

  public HookMetrics(MeterRegistry registry) {
    this.registry = registry;
    // Series that alerts watch exist from the start, so rate() sees their first increment.
    for (Rejection rejection : Rejection.values()) {
      rejectedCounter(rejection);
    }
    for (DropReason reason : DropReason.values()) {
      droppedCounter(reason);
    }
    for (GuardFailure failure : GuardFailure.values()) {
      guardFailureCounter(failure);
    }
    forwardedCounter();
    forwardFailureCounter();
    repeatedDeliveryCounter();
    guardDecision(DecisionSource.FAIL_CLOSED, "deny", 0);
    guardDecision(DecisionSource.FAIL_OPEN, "none", 0);
  }

  public void event(String event, String tool, String user, String team) {
    cached(
            events,
            List.of(event, tool, user, team),
            key ->
                Counter.builder("claude.hook.events")
                    .description("Hook events received and accepted, by event name")
                    .tags("event", event, "tool", tool, "user", user, "team", team)
                    .register(registry))
        .increment();
  }

  public void toolCall(String tool, Outcome outcome, String user, String team) {
    cached(
            toolCalls,
            List.of(tool, outcome.name(), user, team),
            key ->
                Counter.builder("claude.tool.calls")
                    .description("Tool calls, each counted once with its outcome")
                    .tags("tool", tool, "outcome", outcome.name(), "user", user, "team", team)
                    .register(registry))
        .increment();
  }

  public void toolDuration(String tool, Duration duration) {
    cached(
            toolDurations,
            tool,
            key ->
                Timer.builder("claude.tool.duration")
                    .description("How long tool calls ran, from the hook's duration_ms")
                    .tags("tool", tool)
                    .serviceLevelObjectives(TOOL_DURATION_BUCKETS)
                    .register(registry))
        .record(duration);
  }

  private static <K, M> M cached(Map<K, M> meters, K key, Function<K, M> register) {
    M meter = meters.get(key);
    return meter != null ? meter : meters.computeIfAbsent(key, register);
  }

  /** A hook event delivered again under the event key of one already counted. */
  public void repeatedDelivery() {
    repeatedDeliveryCounter().increment();
  }

  private Counter repeatedDeliveryCounter() {
    return Counter.builder("claude.hook.repeated.deliveries")
        .description(
            "Hook events delivered again under the key of an event already counted (a retry or"
                + " the pod's hand-off after a lost answer): stored once, not counted again")
        .register(registry);
  }

  public void sessionStarted(String source) {
    Counter.builder("claude.sessions.started")
        .description("Sessions started (SessionStart), by source")
        .tags("source", source)
        .register(registry)
        .increment();
  }

  public void sessionEnded(String reason) {
    Counter.builder("claude.sessions.ended")
        .description("Sessions ended (SessionEnd), by reason")
        .tags("reason", reason)
        .register(registry)
        .increment();
  }

  public void prompt(String user, String team) {
    Counter.builder("claude.prompts")
        .description("Prompts submitted (UserPromptSubmit)")
        .tags("user", user, "team", team)
        .register(registry)
        .increment();
  }

  /**
   * A request whose {@code X-Claude-Telemetry-User} named someone other than its token's user; the
   * label is the token's user (already a bounded label value) and that user's team.
   */
  public void userHeaderMismatch(String user, String team) {
    Counter.builder("claude.hook.user.header.mismatches")
        .description(
            "Requests whose X-Claude-Telemetry-User named another user than their token's; counted"
                + " as the token's user")
        .tags("user", user, "team", team)
        .register(registry)
        .increment();
  }

  public void rejected(Rejection rejection) {
    rejectedCounter(rejection).increment();
  }

  public void guardDecision(DecisionSource source, String verdict) {
    guardDecision(source, verdict, 1);
  }

  private void guardDecision(DecisionSource source, String verdict, int count) {
    cached(
            guardDecisions,
            List.of(source.label(), verdict),
            key ->
                Counter.builder("claude.hook.guard.decisions")
                    .description(
                        "Answers given to PreToolUse and PermissionRequest, by where they came from")
                    .tags("source", source.label(), "verdict", verdict)
                    .register(registry))
        .increment(count);
  }

  /**
   * A policy rule in dry run that would have answered {@code verdict} (ask or deny). The rule id
   * comes from policy-service (a policy rule id, checked by the reply reader); past {@link
   * #MAX_DRY_RUN_RULES} distinct ids the rest count as {@code other}, so even a policy with many
   * dry-run rules keeps the series bounded.
   */
  public void guardDryRun(String ruleId, String verdict, String user, String team) {
    String rule =
        dryRunRules.contains(ruleId)
                || (dryRunRules.size() < MAX_DRY_RUN_RULES && dryRunRules.add(ruleId))
            ? ruleId
            : Labels.OTHER;
    Counter.builder("claude.hook.guard.dryrun.matches")
        .description(
            "Policy rules in dry run that matched a guarded call, by rule and what they would have"
                + " answered (ask, deny); the answer itself was not changed")
        .tags("rule", rule, "verdict", verdict, "user", user, "team", team)
        .register(registry)
        .increment();
  }

  public void guardFailure(GuardFailure failure) {
    guardFailureCounter(failure).increment();
  }

  public void policyRequest(Duration duration) {
    ((Timer)
            cached(
                unlabelled,
                "claude.hook.guard.policy.request",
                name ->
                    Timer.builder(name)
                        .description("Round trips to policy-service, including failed ones")
                        .serviceLevelObjectives(POLICY_REQUEST_BUCKETS)
                        .register(registry)))
        .record(duration);
  }

  public void forwardBuffer(Supplier<Number> bufferedEvents) {
    Gauge.builder("claude.hook.forward.buffer", bufferedEvents)
        .description("Events waiting to be forwarded to transcript-service")
        .baseUnit("events")
        .register(registry);
  }

  public void forwarded(int events) {
    forwardedCounter().increment(events);
  }

  public void forwardFailure() {
    forwardFailureCounter().increment();
  }

  public void dropped(DropReason reason, int events) {
    droppedCounter(reason).increment(events);
  }

  /** The spool's size and bound, read when scraped. */
  public void spool(Supplier<Number> usedBytes, long limitBytes) {
    Gauge.builder("claude.hook.spool", usedBytes)
        .description("Bytes of spool segment files, with appends accepted and not yet written")
        .baseUnit("bytes")
        .register(registry);
    Gauge.builder("claude.hook.spool.limit", () -> limitBytes)
        .description("The spool's byte bound: beyond it events are refused (spool_full)")
        .baseUnit("bytes")
        .register(registry);
    spoolCorruptBytes();
    spoolCorruptions();
    spoolReplayed();
  }

  /** One group commit: {@code events} written with one write and made durable with one sync. */
  public void spoolSynced(int events, long nanos) {
    ((Counter)
            cached(
                unlabelled,
                "claude.hook.spool.written.events",
                name ->
                    Counter.builder(name)
                        .description("Events written to the spool")
                        .register(registry)))
        .increment(events);
    ((Timer)
            cached(
                unlabelled,
                "claude.hook.spool.sync",
                name ->
                    Timer.builder(name)
                        .description(
                            "Syncs of the spool to disk, one per group of events written together")
                        .serviceLevelObjectives(SPOOL_SYNC_BUCKETS)
                        .register(registry)))
        .record(Duration.ofNanos(nanos));
  }

  /** A damaged region of the spool skipped: a torn tail or damaged bytes. */
  public void spoolCorrupt(long bytes) {
    spoolCorruptions().increment();
    spoolCorruptBytes().increment(bytes);
  }

  public void spoolReplayed(long events) {
    spoolReplayed().increment(events);
  }

  private Counter spoolCorruptions() {
    return Counter.builder("claude.hook.spool.corruptions")
        .description("Damaged regions of the spool skipped (a tail torn by a crash, damaged bytes)")
        .register(registry);
  }

  private Counter spoolCorruptBytes() {
    return Counter.builder("claude.hook.spool.corrupt")
        .description("Bytes of the spool skipped as damaged")
        .baseUnit("bytes")
        .register(registry);
  }

  private Counter spoolReplayed() {
    return Counter.builder("claude.hook.spool.replayed.events")
        .description("Events found in the spool at start, not yet acknowledged, delivered again")
        .register(registry);
  }

  private Counter rejectedCounter(Rejection rejection) {
    return Counter.builder("claude.hook.ingest.rejected")
        .description("Requests to /v1/hooks refused, by reason")
        .tags("reason", rejection.reason())
        .register(registry);
  }

  private Counter guardFailureCounter(GuardFailure failure) {
    return Counter.builder("claude.hook.guard.failures")
        .description("Guarded events policy-service gave no valid answer for, by why")
        .tags("reason", failure.label())
        .register(registry);
  }

  private Counter droppedCounter(DropReason reason) {
    return Counter.builder("claude.hook.forward.dropped")
        .description("Events given up on instead of forwarded, by reason")
        .tags("reason", reason.name())
        .register(registry);
  }

  private Counter forwardedCounter() {
    return Counter.builder("claude.hook.forwarded.events")
        .description("Events transcript-service acknowledged")
        .register(registry);
  }

  private Counter forwardFailureCounter() {
    return Counter.builder("claude.hook.forward.failures")
        .description(
            "Batch deliveries that failed and will be retried (5xx, connection errors, timeouts)")
        .register(registry);
  }

  private static Duration[] seconds(double... values) {
    Duration[] durations = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      durations[i] = Duration.ofNanos(Math.round(values[i] * 1e9));
    }
    return durations;
  }
}
