package dev.claudetelemetry.policy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudetelemetry.policy.paths.PathNormalizer;
import dev.claudetelemetry.policy.replay.PolicyReplay;
import dev.claudetelemetry.policy.replay.ReplayReport;
import dev.claudetelemetry.policy.replay.ToolCallHistory;
import dev.claudetelemetry.policy.rules.Policy;
import dev.claudetelemetry.policy.rules.PolicyEvaluator;
import dev.claudetelemetry.policy.rules.PolicyLoader;
import dev.claudetelemetry.policy.rules.PolicyRefusedException;
import dev.claudetelemetry.policy.rules.Verdict;
import dev.claudetelemetry.policy.shell.BashAnalyzer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code check replay POLICY --since 7d}: judges every PreToolUse recorded in a window with a
 * candidate policy (a policy file or the ConfigMap about to be applied), beside the verdict each
 * call got when it happened, and reports what would change: per new verdict and rule, how many
 * calls and a few examples with links to their sessions in the viewer, and the evaluation time.
 * Reads transcript-service with the read token ({@code TRANSCRIPT_READ_TOKEN} or {@code
 * --token-file}; never an argument, which other users of the machine could read in the process
 * list). Exit 0 after a report, 1 when the policy is refused or the history cannot be read, 2 for a
 * usage error.
 */
final class ReplayCommand {

  static final String USAGE =
      "usage: check replay POLICY.yaml|CONFIGMAP.yaml --since 7d|24h|DATE|INSTANT [--until ...]"
          + " [--user NAME]\n"
          + "         [--transcripts URL] [--token-file FILE] [--viewer URL] [--examples N]"
          + " [--threads N] [--no-memo] [--json]\n"
          + "       (URL default $TRANSCRIPT_SERVICE_URL, token default $TRANSCRIPT_READ_TOKEN)";

  private static final Pattern RELATIVE = Pattern.compile("(\\d{1,6})([dhm])");
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final PrintStream out;
  private final Map<String, String> env;

  ReplayCommand(PrintStream out, Map<String, String> env) {
    this.out = out;
    this.env = env;
  }

  int run(List<String> args) {
    if (args.isEmpty() || args.get(0).startsWith("-")) {
      return usage("give the candidate policy file first");
    }
    String policyFile = args.get(0);
    CommandOptions options =
        CommandOptions.parse(
            args.subList(1, args.size()),
            Set.of(
                "--since",
                "--until",
                "--user",
                "--transcripts",
                "--token-file",
                "--viewer",
                "--examples",
                "--threads"),
            Set.of("--no-memo", "--json"));
    if (options.problem() != null) {
      return usage(options.problem());
    }
    String since = options.value("--since", null);
    String until = options.value("--until", null);
    String user = options.value("--user", null);
    String transcripts = options.value("--transcripts", env.get("TRANSCRIPT_SERVICE_URL"));
    String tokenFile = options.value("--token-file", null);
    String viewer = options.value("--viewer", null);
    int examples = options.number("--examples", 3, 0, 100);
    if (examples < 0) {
      return usage("--examples takes 0 to 100");
    }
    int threads = options.number("--threads", Runtime.getRuntime().availableProcessors(), 1, 64);
    if (threads < 0) {
      return usage("--threads takes 1 to 64");
    }
    boolean memo = !options.has("--no-memo");
    boolean json = options.has("--json");
    Instant now = Instant.now();
    Instant from = instant(since, now);
    Instant to = until == null ? now : instant(until, now);
    if (from == null || to == null) {
      return usage(
          since == null
              ? "--since is required"
              : "--since/--until take 7d, 24h, 90m, a date (2026-12-01) or an instant");
    }
    if (!to.isAfter(from)) {
      return usage("--until must be later than --since");
    }
    if (transcripts == null || transcripts.isBlank()) {
      return usage("give --transcripts URL or set TRANSCRIPT_SERVICE_URL");
    }
    URI base;
    try {
      base = URI.create(transcripts.endsWith("/") ? transcripts : transcripts + "/");
      if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) {
        return usage("--transcripts must be an http or https URL");
      }
    } catch (IllegalArgumentException e) {
      return usage("--transcripts is not a URL: " + e.getMessage());
    }
    String token;
    try {
      token =
          tokenFile != null
              ? Files.readString(Path.of(tokenFile))
              : env.get("TRANSCRIPT_READ_TOKEN");
    } catch (IOException e) {
      out.println("cannot read the token file " + tokenFile + ": " + e.getMessage());
      return 1;
    }
    if (token == null || token.isBlank()) {
      return usage("give --token-file FILE or set TRANSCRIPT_READ_TOKEN (the read token)");
    }
    // Evaluated as the service in a cluster does: it does not share the agent's file system, so
    // it never follows symlinks of the machine it runs on (and neither may a replay on a laptop).
    PolicyEvaluator evaluator =
        new PolicyEvaluator(new BashAnalyzer(5, 64 * 1024), new PathNormalizer(false));
    Policy policy;
    try {
      policy = PolicyFiles.load(policyFile, new PolicyLoader(evaluator));
    } catch (IOException e) {
      out.println("REFUSED " + policyFile + ": cannot read it (" + e.getMessage() + ")");
      return 1;
    } catch (PolicyRefusedException e) {
      out.println("REFUSED " + policyFile + ": " + e.problems().size() + " problem(s):");
      e.problems().forEach(problem -> out.println("  - " + problem));
      return 1;
    }
    String viewerBase = stripSlash(viewer != null ? viewer : base.toString());
    HttpClient client =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    ToolCallHistory history = new ToolCallHistory(client, base, token.strip());
    ReplayReport report;
    try (PolicyReplay replay =
        new PolicyReplay(policy, evaluator, threads, memo, examples, viewerBase)) {
      ToolCallHistory.Totals totals = history.read(from, to, user, replay::accept);
      report = replay.finish(totals.notJudgeable(), totals.pages());
    } catch (ToolCallHistory.HistoryException e) {
      out.println("FAILED " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      out.println("FAILED interrupted");
      return 1;
    }
    if (json) {
      out.println(json(policy, policyFile, from, to, user, report));
    } else {
      printText(policy, policyFile, from, to, user, report);
    }
    return 0;
  }

  private void printText(
      Policy policy, String file, Instant from, Instant to, String user, ReplayReport report) {
    out.printf(
        "policy    %s version %s (%s), sha256 %s%n",
        policy.name(), policy.version(), file, policy.sha256());
    out.printf("window    %s .. %s, %s%n", from, to, user == null ? "every user" : "user " + user);
    out.printf(
        "recorded  %,d PreToolUse calls judged; %,d compared with their recorded verdict"
            + " (%,d answered by hook-ingest's fail mode, not by a policy; %,d stored rows not a"
            + " hook input)%n",
        report.calls(), report.compared(), report.notDecidedByPolicy(), report.notJudgeable());
    out.printf(
        "candidate %s%n",
        String.join(
            ", ",
            java.util.Arrays.stream(Verdict.values())
                .map(v -> v.wireName() + " " + report.candidateVerdicts().getOrDefault(v, 0L))
                .toList()));
    out.printf(
        "changed   %,d verdicts; %,d unchanged; %,d same verdict from another rule%n",
        report.changed(), report.unchanged(), report.otherRule());
    for (Verdict verdict : List.of(Verdict.DENY, Verdict.ASK, Verdict.ALLOW, Verdict.NONE)) {
      Map<String, ReplayReport.Group> rules = report.changes().getOrDefault(verdict, Map.of());
      long count = rules.values().stream().mapToLong(ReplayReport.Group::count).sum();
      out.printf(
          "%n%s: %,d%s%n",
          heading(verdict),
          count,
          verdict == Verdict.NONE ? " (by the rule that decided before)" : "");
      for (Map.Entry<String, ReplayReport.Group> rule : rules.entrySet()) {
        ReplayReport.Group group = rule.getValue();
        out.printf(
            "  %-40s %,8d  (was %s)%n",
            rule.getKey(),
            group.count(),
            String.join(
                ", ",
                group.from().entrySet().stream()
                    .map(e -> e.getKey().wireName() + " " + e.getValue())
                    .toList()));
        for (ReplayReport.Example example : group.examples()) {
          out.printf(
              "    %s %s %s: %s%n      was %s%s -> %s%s%s%n",
              example.receivedAt(),
              example.user(),
              example.tool(),
              example.call(),
              example.recorded().wireName(),
              example.recordedRule() == null ? "" : " by " + example.recordedRule(),
              example.candidate().wireName(),
              example.candidateRule() == null ? "" : " by " + example.candidateRule(),
              example.link() == null ? "" : "  " + example.link());
        }
      }
    }
    ReplayReport.Timing timing = report.timing();
    out.printf(
        "%ntime      %,d evaluations (%,d calls answered from an identical earlier input) took"
            + " %.2f s on %d threads: %.1f µs per evaluation, slowest %.1f ms; %,d calls in %.2f s"
            + " end to end (%d pages fetched): %,.0f calls/s%n",
        timing.evaluations(),
        report.calls() - timing.evaluations(),
        timing.evaluationNanos() / 1e9,
        timing.threads(),
        timing.evaluations() == 0 ? 0 : timing.evaluationNanos() / 1e3 / timing.evaluations(),
        timing.maxEvaluationNanos() / 1e6,
        report.calls(),
        timing.wallNanos() / 1e9,
        timing.pages(),
        timing.callsPerSecond(report.calls()));
  }

  private static String heading(Verdict verdict) {
    return switch (verdict) {
      case DENY -> "newly denied";
      case ASK -> "newly asked";
      case ALLOW -> "newly allowed";
      case NONE -> "newly none (no rule decides: Claude Code's own permissions apply)";
    };
  }

  static String json(
      Policy policy, String file, Instant from, Instant to, String user, ReplayReport report) {
    ObjectNode root = JSON.createObjectNode();
    root.putObject("policy")
        .put("name", policy.name())
        .put("version", policy.version())
        .put("file", file)
        .put("sha256", policy.sha256());
    root.putObject("window")
        .put("since", from.toString())
        .put("until", to.toString())
        .put("user", user);
    root.put("calls", report.calls())
        .put("compared", report.compared())
        .put("unchanged", report.unchanged())
        .put("changed", report.changed())
        .put("otherRule", report.otherRule())
        .put("notDecidedByPolicy", report.notDecidedByPolicy())
        .put("notJudgeable", report.notJudgeable());
    ObjectNode candidate = root.putObject("candidateVerdicts");
    for (Verdict verdict : Verdict.values()) {
      candidate.put(verdict.wireName(), report.candidateVerdicts().getOrDefault(verdict, 0L));
    }
    ObjectNode changes = root.putObject("changes");
    for (Verdict verdict : List.of(Verdict.DENY, Verdict.ASK, Verdict.ALLOW, Verdict.NONE)) {
      ObjectNode rules = changes.putObject(verdict.wireName());
      report
          .changes()
          .getOrDefault(verdict, Map.of())
          .forEach(
              (rule, group) -> {
                ObjectNode node = rules.putObject(rule);
                node.put("count", group.count());
                ObjectNode was = node.putObject("from");
                group.from().forEach((v, n) -> was.put(v.wireName(), n));
                for (ReplayReport.Example example : group.examples()) {
                  node.withArray("examples")
                      .addObject()
                      .put("id", example.id())
                      .put("receivedAt", example.receivedAt().toString())
                      .put("user", example.user())
                      .put("sessionId", example.sessionId())
                      .put("tool", example.tool())
                      .put("call", example.call())
                      .put("recorded", example.recorded().wireName())
                      .put("recordedRule", example.recordedRule())
                      .put("candidate", example.candidate().wireName())
                      .put("candidateRule", example.candidateRule())
                      .put("reason", example.reason())
                      .put("link", example.link());
                }
              });
    }
    ReplayReport.Timing timing = report.timing();
    root.putObject("timing")
        .put("evaluations", timing.evaluations())
        .put("evaluationSeconds", timing.evaluationNanos() / 1e9)
        .put("slowestEvaluationSeconds", timing.maxEvaluationNanos() / 1e9)
        .put("wallSeconds", timing.wallNanos() / 1e9)
        .put("callsPerSecond", Math.round(timing.callsPerSecond(report.calls())))
        .put("threads", timing.threads())
        .put("pages", timing.pages());
    try {
      return JSON.writeValueAsString(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code 7d}, {@code 24h}, {@code 90m} before now; a date (UTC midnight); an instant. */
  static Instant instant(String value, Instant now) {
    if (value == null || value.length() > 64) {
      return null;
    }
    Matcher relative = RELATIVE.matcher(value.strip());
    if (relative.matches()) {
      long amount = Long.parseLong(relative.group(1));
      return switch (relative.group(2)) {
        case "d" -> now.minus(Duration.ofDays(amount));
        case "h" -> now.minus(Duration.ofHours(amount));
        default -> now.minus(Duration.ofMinutes(amount));
      };
    }
    try {
      return Instant.parse(value.strip());
    } catch (DateTimeParseException e) {
      try {
        return LocalDate.parse(value.strip()).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private int usage(String problem) {
    out.println(problem);
    out.println(USAGE);
    return 2;
  }
}
