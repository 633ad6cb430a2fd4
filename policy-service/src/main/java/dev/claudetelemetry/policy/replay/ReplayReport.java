package dev.claudetelemetry.policy.replay;

import dev.claudetelemetry.policy.rules.Verdict;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a candidate policy would have changed over a window of recorded calls.
 *
 * @param changes by the candidate's verdict ({@code deny} = newly denied, ..., {@code none} = newly
 *     undecided), then by rule: the candidate's deciding rule, or for {@code none} the recorded
 *     rule that no longer decides
 * @param otherRule calls with the same verdict but another deciding rule
 * @param notDecidedByPolicy recorded calls whose answer did not come from a policy (hook-ingest
 *     failed open or closed): judged, not compared
 * @param notJudgeable stored rows that are not a hook input the service would judge
 * @param candidateVerdicts how the candidate judged every call
 */
public record ReplayReport(
    long calls,
    long compared,
    long unchanged,
    long otherRule,
    long notDecidedByPolicy,
    long notJudgeable,
    Map<Verdict, Long> candidateVerdicts,
    Map<Verdict, Map<String, Group>> changes,
    Timing timing) {

  /** The calls one rule newly decides (or no longer decides) one way. */
  public record Group(long count, Map<Verdict, Long> from, List<Example> examples) {}

  /** One changed call, with the link to its session in the viewer. */
  public record Example(
      String id,
      Instant receivedAt,
      String user,
      String sessionId,
      String tool,
      String call,
      Verdict recorded,
      String recordedRule,
      Verdict candidate,
      String candidateRule,
      String reason,
      String link) {}

  /**
   * @param evaluations calls the policy evaluated (the others had the same input as an earlier
   *     call)
   * @param evaluationNanos time inside the policy's evaluation, summed over the threads
   * @param maxEvaluationNanos the slowest single evaluation
   * @param wallNanos from the first request to the report, fetching included
   * @param threads evaluation threads
   */
  public record Timing(
      long evaluations,
      long evaluationNanos,
      long maxEvaluationNanos,
      long wallNanos,
      int threads,
      int pages) {

    public double callsPerSecond(long calls) {
      return wallNanos == 0 ? 0 : calls * 1e9 / wallNanos;
    }
  }

  public long changed() {
    return changes.values().stream()
        .flatMap(rules -> rules.values().stream())
        .mapToLong(Group::count)
        .sum();
  }
}
