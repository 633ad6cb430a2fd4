package dev.claudetelemetry.policy.replay;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudetelemetry.policy.rules.Decision;
import dev.claudetelemetry.policy.rules.Policy;
import dev.claudetelemetry.policy.rules.PolicyEvaluator;
import dev.claudetelemetry.policy.rules.ToolCall;
import dev.claudetelemetry.policy.rules.Verdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Judges recorded calls with a candidate policy, in-process, beside the verdict each was given when
 * it happened, and collects what changed. Calls come in from one thread (the history reader) and
 * are evaluated in batches on {@code threads} workers, so reading the next page overlaps judging
 * the last.
 *
 * <p>A call whose input equals an earlier one's (same tool, input, directory, home, mode: all the
 * evaluation reads, since the replay does not follow symlinks on this machine, as the service in a
 * cluster does not) gets that call's decision without a second evaluation: a week of recorded calls
 * repeats {@code git status} and the same file reads thousands of times.
 */
public final class PolicyReplay implements AutoCloseable {

  private static final int BATCH = 256;
  private static final int MAX_REMEMBERED = 500_000;
  private static final Comparator<ReplayReport.Example> OLDEST_FIRST =
      Comparator.comparing(ReplayReport.Example::receivedAt)
          .thenComparing(ReplayReport.Example::id);

  private final Policy policy;
  private final PolicyEvaluator evaluator;
  private final int threads;
  private final boolean remember;
  private final boolean wholeInput;
  private final int examplesPerRule;
  private final String viewerBase;
  private final ExecutorService workers;
  private final Semaphore inFlight;
  private final Map<String, Decision> remembered = new ConcurrentHashMap<>();
  private final long started = System.nanoTime();

  private List<RecordedCall> batch = new ArrayList<>(BATCH);
  private final Object lock = new Object();
  private long calls;
  private long compared;
  private long unchanged;
  private long otherRule;
  private long notDecidedByPolicy;
  private long evaluations;
  private long evaluationNanos;
  private long maxEvaluationNanos;
  private final Map<Verdict, Long> candidateVerdicts = new EnumMap<>(Verdict.class);
  private final Map<Verdict, Map<String, MutableGroup>> changes = new EnumMap<>(Verdict.class);
  private RuntimeException failure;

  public PolicyReplay(
      Policy policy,
      PolicyEvaluator evaluator,
      int threads,
      boolean remember,
      int examplesPerRule,
      String viewerBase) {
    this.policy = policy;
    this.evaluator = evaluator;
    this.threads = threads;
    this.remember = remember;
    this.wholeInput = PolicyEvaluator.conditionsReadInput(policy);
    this.examplesPerRule = examplesPerRule;
    this.viewerBase = viewerBase;
    this.workers =
        Executors.newFixedThreadPool(
            threads,
            runnable -> {
              Thread thread = new Thread(runnable, "policy-replay");
              thread.setDaemon(true);
              return thread;
            });
    this.inFlight = new Semaphore(threads * 4);
  }

  /** Takes one recorded call; called from one thread only. */
  public void accept(RecordedCall call) {
    batch.add(call);
    if (batch.size() == BATCH) {
      submit();
    }
  }

  private void submit() {
    List<RecordedCall> full = batch;
    batch = new ArrayList<>(BATCH);
    inFlight.acquireUninterruptibly();
    workers.execute(
        () -> {
          try {
            judge(full);
          } catch (RuntimeException e) {
            synchronized (lock) {
              failure = e;
            }
          } finally {
            inFlight.release();
          }
        });
  }

  /** Waits for every call to be judged and reports. */
  public ReplayReport finish(long notJudgeable, int pages) throws InterruptedException {
    if (!batch.isEmpty()) {
      submit();
    }
    workers.shutdown();
    if (!workers.awaitTermination(1, TimeUnit.HOURS)) {
      throw new IllegalStateException("the replay did not finish within an hour");
    }
    synchronized (lock) {
      if (failure != null) {
        throw failure;
      }
      Map<Verdict, Map<String, ReplayReport.Group>> groups = new EnumMap<>(Verdict.class);
      changes.forEach(
          (verdict, rules) -> {
            Map<String, ReplayReport.Group> byRule = new TreeMap<>();
            rules.forEach((rule, group) -> byRule.put(rule, group.freeze()));
            groups.put(verdict, byRule);
          });
      return new ReplayReport(
          calls,
          compared,
          unchanged,
          otherRule,
          notDecidedByPolicy,
          notJudgeable,
          new EnumMap<>(candidateVerdicts),
          groups,
          new ReplayReport.Timing(
              evaluations,
              evaluationNanos,
              maxEvaluationNanos,
              System.nanoTime() - started,
              threads,
              pages));
    }
  }

  private void judge(List<RecordedCall> recordedCalls) {
    List<Decision> decisions = new ArrayList<>(recordedCalls.size());
    long evaluated = 0;
    long nanos = 0;
    long max = 0;
    for (RecordedCall recorded : recordedCalls) {
      String key = remember ? evaluator.decisionKey(recorded.call(), wholeInput) : null;
      Decision decision = key == null ? null : remembered.get(key);
      if (decision == null) {
        long start = System.nanoTime();
        decision = evaluator.evaluate(policy, recorded.call());
        long took = System.nanoTime() - start;
        evaluated++;
        nanos += took;
        max = Math.max(max, took);
        if (key != null && remembered.size() < MAX_REMEMBERED) {
          remembered.put(key, decision);
        }
      }
      decisions.add(decision);
    }
    synchronized (lock) {
      evaluations += evaluated;
      evaluationNanos += nanos;
      maxEvaluationNanos = Math.max(maxEvaluationNanos, max);
      for (int i = 0; i < recordedCalls.size(); i++) {
        count(recordedCalls.get(i), decisions.get(i));
      }
    }
  }

  private void count(RecordedCall recorded, Decision candidate) {
    calls++;
    candidateVerdicts.merge(candidate.verdict(), 1L, Long::sum);
    if (recorded.recorded() == null) {
      notDecidedByPolicy++;
      return;
    }
    compared++;
    if (recorded.recorded() == candidate.verdict()) {
      if (candidate.verdict() == Verdict.NONE
          || java.util.Objects.equals(recorded.recordedRule(), candidate.ruleId())) {
        unchanged++;
      } else {
        otherRule++;
      }
      return;
    }
    String rule =
        candidate.verdict() == Verdict.NONE
            ? ruleName(recorded.recordedRule())
            : ruleName(candidate.ruleId());
    MutableGroup group =
        changes
            .computeIfAbsent(candidate.verdict(), v -> new TreeMap<>())
            .computeIfAbsent(rule, r -> new MutableGroup());
    group.count++;
    group.from.merge(recorded.recorded(), 1L, Long::sum);
    ReplayReport.Example example = example(recorded, candidate);
    if (group.examples.size() < examplesPerRule) {
      group.examples.add(example);
    } else if (examplesPerRule > 0
        && OLDEST_FIRST.compare(example, group.examples.get(group.examples.size() - 1)) < 0) {
      // Calls are judged out of order across threads; keeping the oldest makes the report
      // the same on every run.
      group.examples.set(group.examples.size() - 1, example);
    }
    group.examples.sort(OLDEST_FIRST);
  }

  /** A verdict no rule gave: the policy's settings for unparseable or opaque commands. */
  private static String ruleName(String ruleId) {
    return ruleId == null ? "(settings: unparseable or opaque)" : ruleId;
  }

  private ReplayReport.Example example(RecordedCall recorded, Decision candidate) {
    return new ReplayReport.Example(
        recorded.id(),
        recorded.receivedAt(),
        recorded.user(),
        recorded.sessionId(),
        recorded.call().tool(),
        summary(recorded.call()),
        recorded.recorded(),
        recorded.recordedRule(),
        candidate.verdict(),
        candidate.ruleId(),
        candidate.reason(),
        viewerBase == null || recorded.sessionId() == null
            ? null
            : viewerBase + "/sessions/" + recorded.sessionId());
  }

  /** The command, else the file path, else the input, on one line and clipped. */
  static String summary(ToolCall call) {
    JsonNode input = call.input();
    String text;
    if (input.path("command").isTextual()) {
      text = input.get("command").textValue();
    } else if (input.path("file_path").isTextual()) {
      text = input.get("file_path").textValue();
    } else if (input.path("notebook_path").isTextual()) {
      text = input.get("notebook_path").textValue();
    } else {
      text = input.toString();
    }
    text = text.replaceAll("\\s+", " ").strip();
    return text.length() <= 160 ? text : text.substring(0, 160) + "…";
  }

  @Override
  public void close() {
    workers.shutdownNow();
  }

  private static final class MutableGroup {
    long count;
    final Map<Verdict, Long> from = new EnumMap<>(Verdict.class);
    final List<ReplayReport.Example> examples = new ArrayList<>();

    ReplayReport.Group freeze() {
      return new ReplayReport.Group(count, new EnumMap<>(from), List.copyOf(examples));
    }
  }
}
