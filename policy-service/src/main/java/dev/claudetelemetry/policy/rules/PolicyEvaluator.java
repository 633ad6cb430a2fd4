package dev.claudetelemetry.policy.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cel.runtime.CelVariableResolver;
import dev.claudetelemetry.policy.paths.Glob;
import dev.claudetelemetry.policy.paths.PathContext;
import dev.claudetelemetry.policy.paths.PathNormalizer;
import dev.claudetelemetry.policy.shell.BashAnalyzer;
import dev.claudetelemetry.policy.shell.ShellAnalysis;
import dev.claudetelemetry.policy.shell.ShellCommand;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Judges one tool call against a policy. Deny beats ask beats allow beats none (no rule decided);
 * among rules of the same decision the first in the file wins. Thread-safe and free of I/O except
 * symlink look-ups.
 */
public final class PolicyEvaluator {

  /** Rule id reported when a Bash command could not be fully analysed and no rule matched. */
  public static final String UNPARSEABLE_RULE_ID = "shell-unparseable";

  /**
   * Rule id reported when a Bash command runs something the guard cannot know before it runs and no
   * rule matched.
   */
  public static final String OPAQUE_RULE_ID = "shell-opaque";

  /** A rule's match: the quote for the reason, and whether it holds only if an unknown is bad. */
  private record Match(String quote, boolean throughUnknown) {}

  private static final int QUOTE_LIMIT = 160;

  /** A workspace no path is inside of. */
  private static final String NO_WORKSPACE = "/\u0000no-workspace";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final java.util.regex.Pattern CEL_INPUT =
      java.util.regex.Pattern.compile("(?<![\\w.])input\\b");

  private final BashAnalyzer analyzer;
  private final PathNormalizer normalizer;

  public PolicyEvaluator(BashAnalyzer analyzer, PathNormalizer normalizer) {
    this.analyzer = analyzer;
    this.normalizer = normalizer;
  }

  /**
   * Whether a rule's CEL condition reads {@code input}, the whole tool input; then two calls judge
   * alike only when their whole inputs are equal ({@link #decisionKey}).
   */
  public static boolean conditionsReadInput(Policy policy) {
    return policy.rules().stream()
        .anyMatch(
            rule -> rule.when() != null && CEL_INPUT.matcher(rule.when().expression()).find());
  }

  /**
   * A key equal for two calls exactly when {@link #evaluate} reads the same values from both, so
   * that it gives both the same decision: the event, tool, permission mode, directory and the
   * transcript path's home, the command (CEL reads it for every tool); for any other built-in tool
   * than Bash its path fields (what {@link CallFacts} reads), for an MCP tool (whose arguments are
   * judged as built-in calls) or when {@code wholeInput} ({@link #conditionsReadInput}) the whole
   * input. {@code null} when symlinks are followed: then the file system at the time of the
   * evaluation decides too. Whatever the evaluation comes to read of a call must be added here.
   */
  public String decisionKey(ToolCall call, boolean wholeInput) {
    if (normalizer.followsSymlinks()) {
      return null;
    }
    String transcript = call.transcriptPath();
    int claude = transcript.indexOf("/.claude/");
    StringBuilder key =
        new StringBuilder(call.event())
            .append('\u0000')
            .append(call.tool())
            .append('\u0000')
            .append(call.permissionMode())
            .append('\u0000')
            .append(call.cwd())
            .append('\u0000')
            .append(claude > 0 ? transcript.substring(0, claude) : transcript)
            .append('\u0000');
    if (wholeInput || McpViews.isMcp(call.tool())) {
      return key.append(call.input()).toString();
    }
    // The command is read for every tool (CEL's `command`), not only for Bash.
    key.append(call.command()).append('\u0000');
    if (call.tool().equals("Bash")) {
      return key.toString();
    }
    for (String field : CallFacts.PATH_FIELDS) {
      JsonNode value = call.input().get(field);
      key.append(value == null ? "" : value.toString()).append('\u0000');
    }
    return key.toString();
  }

  public Decision evaluate(Policy policy, ToolCall call) {
    Decision direct = evaluateAsIs(policy, call);
    if (!McpViews.isMcp(call.tool())
        || (direct.verdict() == Verdict.DENY && policy.rules().stream().noneMatch(Rule::dryRun))) {
      return direct;
    }
    // An MCP tool is also judged as the built-in tools its arguments amount to; those views can
    // deny or ask, but never grant: only a rule naming the MCP tool itself can allow it. Dry-run
    // rules see the views too, so a dry run shows what the rule would do once enforced.
    Map<String, DryRunMatch> dryRun = new java.util.LinkedHashMap<>();
    direct.dryRun().forEach(match -> dryRun.put(match.ruleId(), match));
    Decision strongest = direct.verdict() == Verdict.ALLOW ? direct : null;
    for (McpViews.View view : McpViews.of(call)) {
      Decision decision = evaluateAsIs(policy, view.call());
      String judgedAs = " (" + call.tool() + " judged as " + view.label() + ")";
      for (DryRunMatch match : decision.dryRun()) {
        DryRunMatch known = dryRun.get(match.ruleId());
        if (known == null || match.verdict().compareTo(known.verdict()) > 0) {
          dryRun.put(
              match.ruleId(),
              new DryRunMatch(match.ruleId(), match.verdict(), match.reason() + judgedAs));
        }
      }
      if (direct.verdict() != Verdict.DENY
          && decision.verdict().compareTo(Verdict.ALLOW) > 0
          && (strongest == null || decision.verdict().compareTo(strongest.verdict()) > 0)) {
        strongest =
            new Decision(decision.verdict(), decision.ruleId(), decision.reason() + judgedAs);
      }
    }
    Decision answer =
        strongest != null && strongest.verdict().compareTo(direct.verdict()) > 0
            ? strongest
            : direct;
    return answer.withDryRun(List.copyOf(dryRun.values()));
  }

  private Decision evaluateAsIs(Policy policy, ToolCall call) {
    CallFacts facts = facts(policy.settings(), call);
    List<DryRunMatch> dryRun = new java.util.ArrayList<>();
    Decision decided = decide(policy, call, facts, dryRun);
    return decided.withDryRun(dryRun);
  }

  /**
   * The enforced rules' answer; every dry-run rule that matches is added to {@code dryRun} and
   * otherwise ignored, so the answer is the one the policy without them gives.
   */
  private Decision decide(Policy policy, ToolCall call, CallFacts facts, List<DryRunMatch> dryRun) {
    Decision deny = null;
    Decision ask = null;
    boolean allowRules = false;
    for (Rule rule : policy.rules()) {
      if (!rule.appliesTo(call.tool()) || (deny != null && !rule.dryRun())) {
        // After the first enforced deny only dry-run rules can still add anything.
        continue;
      }
      if (rule.decision() == Verdict.ALLOW) {
        allowRules = true;
        continue;
      }
      Optional<Match> match = match(rule, facts);
      if (match.isPresent()) {
        Verdict verdict = rule.decision();
        if (match.get().throughUnknown()) {
          // A rule that holds only if an unknown value is bad decides at most settings.opaque.
          verdict = weaker(verdict, policy.settings().opaque());
          if (verdict.compareTo(Verdict.ASK) < 0) {
            continue;
          }
        }
        if (rule.dryRun()) {
          dryRun.add(
              new DryRunMatch(
                  rule.id(), verdict, dryRunReason(rule, verdict, match.get().quote())));
          continue;
        }
        Decision decision = decision(rule, verdict, match.get().quote());
        if (verdict == Verdict.DENY) {
          deny = decision;
        } else if (ask == null) {
          ask = decision;
        }
      }
    }
    if (deny != null) {
      return deny;
    }
    if (ask != null) {
      return ask;
    }
    if (facts.isShell() && !facts.shell.complete()) {
      // An allow rule never grants a command the guard could not read completely: the part it
      // could not read is exactly what the rule's author did not see.
      Verdict unparseable = policy.settings().unparseable();
      if (unparseable == Verdict.NONE) {
        return Decision.UNDECIDED;
      }
      return new Decision(
          unparseable,
          UNPARSEABLE_RULE_ID,
          lead(unparseable, UNPARSEABLE_RULE_ID)
              + ": the guard could not fully analyse "
              + quoted(call.command())
              + " ("
              + facts.shell.problem()
              + "). Instead: split it into simple commands without deep nesting, or ask the user to run it.");
    }
    if (facts.isShell() && facts.shell.opaque() != null) {
      // Like an incomplete analysis, what runs here was never seen by an allow rule's author.
      Verdict opaque = policy.settings().opaque();
      if (opaque == Verdict.NONE) {
        return Decision.UNDECIDED;
      }
      return new Decision(
          opaque,
          OPAQUE_RULE_ID,
          lead(opaque, OPAQUE_RULE_ID)
              + ": "
              + quoted(call.command())
              + " runs something the guard cannot see before it runs ("
              + quote(facts.shell.opaque())
              + "). Instead: write the commands out literally, or ask the user to run it.");
    }
    if (allowRules) {
      Decision granted = granted(policy, facts);
      if (granted != null) {
        return granted;
      }
    }
    return Decision.UNDECIDED;
  }

  /** How {@link #evaluate} sees the call, and every rule that matches it (the check CLI). */
  public Explanation explain(Policy policy, ToolCall call) {
    CallFacts facts = facts(policy.settings(), call);
    List<Explanation.Command> commands = new java.util.ArrayList<>();
    if (facts.isShell()) {
      for (ShellCommand command : facts.shell.commands()) {
        commands.add(
            new Explanation.Command(
                command.argv(),
                command.depth(),
                command.cwd(),
                command.upstream(),
                command.substitutions(),
                explained(facts.pathUses(command))));
      }
    }
    List<Explanation.Match> matches = new java.util.ArrayList<>();
    for (Rule rule : policy.rules()) {
      if (rule.appliesTo(call.tool())) {
        match(rule, facts)
            .ifPresent(
                match ->
                    matches.add(
                        new Explanation.Match(
                            rule.id(),
                            match.throughUnknown() && rule.decision() != Verdict.ALLOW
                                ? weaker(rule.decision(), policy.settings().opaque())
                                : rule.decision(),
                            match.quote(),
                            rule.dryRun())));
      }
    }
    return new Explanation(
        evaluate(policy, call),
        facts.paths.cwd(),
        NO_WORKSPACE.equals(facts.paths.workspace()) ? null : facts.paths.workspace(),
        facts.paths.home(),
        facts.isShell() ? facts.shell.problem() : null,
        facts.isShell() ? facts.shell.opaque() : null,
        commands,
        facts.isShell() ? List.of() : explained(facts.filePathUses()),
        matches,
        McpViews.isMcp(call.tool())
            ? McpViews.of(call).stream().map(McpViews.View::label).toList()
            : List.of());
  }

  private static List<Explanation.Path> explained(List<PathUse> uses) {
    return uses.stream()
        .map(
            use ->
                new Explanation.Path(
                    use.written(),
                    use.normalized(),
                    use.access().name().toLowerCase(java.util.Locale.ROOT),
                    !use.operand()))
        .toList();
  }

  /**
   * The first allow rule that covers the whole call, or {@code null}. A Bash call is granted only
   * when every simple command it would run is matched by some allow rule: an allow rule for {@code
   * git status} must not carry {@code git status; rm -rf x} through.
   */
  private Decision granted(Policy policy, CallFacts facts) {
    if (!facts.isShell()) {
      for (Rule rule : policy.rules()) {
        if (rule.decision() == Verdict.ALLOW && rule.appliesTo(facts.call.tool())) {
          Optional<Match> match = match(rule, facts);
          if (match.isPresent() && !match.get().throughUnknown()) {
            return decision(rule, rule.decision(), match.get().quote());
          }
        }
      }
      return null;
    }
    List<ShellCommand> commands = facts.shell.commands();
    if (commands.isEmpty()) {
      return null;
    }
    Decision first = null;
    for (ShellCommand command : commands) {
      Decision covering = null;
      for (Rule rule : policy.rules()) {
        if (rule.decision() == Verdict.ALLOW && rule.appliesTo(facts.call.tool())) {
          Optional<Match> match = matchOne(rule, command, facts);
          if (match.isPresent() && !match.get().throughUnknown()) {
            covering = decision(rule, rule.decision(), match.get().quote());
            break;
          }
        }
      }
      if (covering == null) {
        return null;
      }
      if (first == null) {
        first = covering;
      }
    }
    return first;
  }

  private static Verdict weaker(Verdict a, Verdict b) {
    return a.ordinal() <= b.ordinal() ? a : b;
  }

  /** Whether one rule, on its own, matches the call (used to check a rule's examples). */
  boolean matches(Rule rule, PolicySettings settings, ToolCall call) {
    if (!rule.appliesTo(call.tool())) {
      return false;
    }
    CallFacts facts = facts(settings, call);
    if (rule.decision() != Verdict.ALLOW || !facts.isShell()) {
      return match(rule, facts).isPresent();
    }
    if (!facts.shell.complete() || facts.shell.commands().isEmpty()) {
      return false;
    }
    for (ShellCommand command : facts.shell.commands()) {
      Optional<Match> match = matchOne(rule, command, facts);
      if (match.isEmpty() || match.get().throughUnknown()) {
        return false;
      }
    }
    return true;
  }

  private Optional<Match> matchOne(Rule rule, ShellCommand command, CallFacts facts) {
    Optional<Match> match = matchCommand(rule, command, facts);
    if (match.isPresent() && (rule.when() == null || rule.when().test(variables(facts, command)))) {
      return match;
    }
    return Optional.empty();
  }

  private Optional<Match> match(Rule rule, CallFacts facts) {
    if (facts.isShell()) {
      Match throughUnknown = null;
      for (ShellCommand command : facts.shell.commands()) {
        Optional<Match> match = matchOne(rule, command, facts);
        if (match.isPresent()) {
          if (!match.get().throughUnknown()) {
            return match;
          }
          if (throughUnknown == null) {
            throughUnknown = match.get();
          }
        }
      }
      return Optional.ofNullable(throughUnknown);
    }
    Optional<String> quote = matchFileTool(rule, facts);
    if (quote.isPresent() && (rule.when() == null || rule.when().test(variables(facts, null)))) {
      return Optional.of(new Match(quote.get(), false));
    }
    return Optional.empty();
  }

  private Optional<Match> matchCommand(Rule rule, ShellCommand command, CallFacts facts) {
    if (rule.matchers().isEmpty()) {
      return Optional.of(new Match(quoted(command.text()), false));
    }
    // Quotes are built only for the matcher that matches: most calls match nothing, and every rule
    // is tried.
    Match throughUnknown = null;
    for (Matcher matcher : rule.matchers()) {
      CommandMatcher.Outcome outcome =
          matcher.command() == null
              ? CommandMatcher.Outcome.YES
              : matcher.command().match(command, facts);
      if (outcome == CommandMatcher.Outcome.NO) {
        continue;
      }
      if (outcome == CommandMatcher.Outcome.THROUGH_UNKNOWN_TARGET) {
        if (throughUnknown == null) {
          throughUnknown =
              new Match(quoted(command.text()) + " (its target is not known before it runs)", true);
        }
        continue;
      }
      if (matcher.paths() == null) {
        return Optional.of(new Match(quoted(command.text()), false));
      }
      Optional<String> path =
          matcher.paths().match(facts.pathUses(command), command.name(), facts.paths.home());
      if (path.isPresent()) {
        return Optional.of(
            new Match(quoted(command.text()) + " touches " + quoted(path.get()), false));
      }
    }
    return Optional.ofNullable(throughUnknown);
  }

  private Optional<String> matchFileTool(Rule rule, CallFacts facts) {
    if (rule.matchers().isEmpty()) {
      return Optional.of(facts.call.tool());
    }
    for (Matcher matcher : rule.matchers()) {
      if (matcher.command() == null && matcher.paths() != null) {
        Optional<String> path = matcher.paths().match(facts.filePathUses(), "", facts.paths.home());
        if (path.isPresent()) {
          return Optional.of(facts.call.tool() + " of " + quoted(path.get()));
        }
      }
    }
    return Optional.empty();
  }

  private CallFacts facts(PolicySettings settings, ToolCall call) {
    String home =
        settings.home() != null
            ? PathNormalizer.normalize(settings.home(), "/", "/")
            : homeOf(call);
    String cwd = PathNormalizer.normalize(call.cwd().isEmpty() ? home : call.cwd(), home, home);
    String workspace = workspaceOf(cwd, settings.workspaceRoots(), home);
    ShellAnalysis shell =
        "Bash".equals(call.tool())
            ? analyzer.analyze(call.command(), cwd, settings.environment())
            : null;
    return new CallFacts(call, new PathContext(cwd, home, workspace), shell, normalizer);
  }

  /** Claude Code keeps transcripts under {@code <home>/.claude/projects/}. */
  private static String homeOf(ToolCall call) {
    String transcript = call.transcriptPath();
    int claude = transcript.indexOf("/.claude/");
    if (transcript.startsWith("/") && claude > 0) {
      return PathNormalizer.normalize(transcript.substring(0, claude), "/", "/");
    }
    String cwd = call.cwd();
    if (cwd.startsWith("/home/")) {
      int slash = cwd.indexOf('/', "/home/".length());
      return slash < 0 ? cwd : cwd.substring(0, slash);
    }
    return "/root";
  }

  /**
   * The shallowest ancestor of {@code cwd} matching a workspace root, else {@code cwd} itself; but
   * a session sitting in {@code /} or the home directory has no workspace at all, or everything
   * would count as inside.
   */
  private static String workspaceOf(String cwd, List<Glob> roots, String home) {
    if (cwd.equals("/") || PathNormalizer.isWithin(home, cwd)) {
      return NO_WORKSPACE;
    }
    if (roots.isEmpty()) {
      return cwd;
    }
    int from = 1;
    while (true) {
      int slash = cwd.indexOf('/', from);
      String ancestor = slash < 0 ? cwd : cwd.substring(0, slash);
      for (Glob root : roots) {
        if (root.matches(ancestor, home)) {
          return ancestor;
        }
      }
      if (slash < 0) {
        return cwd;
      }
      from = slash + 1;
    }
  }

  /** The CEL variables of one call, each worked out only if the expression reads it. */
  private CelVariableResolver variables(CallFacts facts, ShellCommand command) {
    ToolCall call = facts.call;
    return name ->
        Optional.ofNullable(
            switch (name) {
              case "tool" -> call.tool();
              case "event" -> call.event();
              case "permissionMode" -> call.permissionMode();
              case "cwd" -> facts.paths.cwd();
              case "workspace" -> facts.paths.workspace();
              case "home" -> facts.paths.home();
              case "command" -> call.command();
              case "name" -> command == null ? "" : command.name();
              case "argv" -> command == null ? List.of() : command.argv();
              case "paths" ->
                  (command == null ? facts.filePathUses() : facts.pathUses(command))
                      .stream().map(PathUse::normalized).toList();
              case "input" -> inputAsMap(call);
              default -> null;
            });
  }

  private static Map<String, Object> inputAsMap(ToolCall call) {
    @SuppressWarnings("unchecked")
    Map<String, Object> input = JSON.convertValue(call.input(), Map.class);
    return input == null ? Map.of() : input;
  }

  private static Decision decision(Rule rule, Verdict verdict, String quote) {
    return new Decision(
        verdict,
        rule.id(),
        lead(verdict, rule.id()) + ": " + quote + ". " + rule.message().strip());
  }

  private static String dryRunReason(Rule rule, Verdict verdict, String quote) {
    return (verdict == Verdict.DENY
            ? "Would have been blocked by policy rule "
            : "Would have needed confirmation by policy rule ")
        + rule.id()
        + " (dry run, not enforced): "
        + quote
        + ". "
        + rule.message().strip();
  }

  private static String lead(Verdict verdict, String ruleId) {
    return switch (verdict) {
      case DENY -> "Blocked by policy rule " + ruleId;
      case ASK -> "Policy rule " + ruleId + " needs your confirmation";
      default -> "Allowed by policy rule " + ruleId;
    };
  }

  static String quoted(String value) {
    return "'" + quote(value) + "'";
  }

  /** One line, bounded, so a huge or multi-line command cannot flood the reason. */
  static String quote(String value) {
    StringBuilder oneLine = new StringBuilder(Math.min(value.length(), QUOTE_LIMIT + 1));
    boolean inControlRun = false;
    for (int i = 0; i < value.length() && oneLine.length() <= QUOTE_LIMIT; i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c)) {
        if (!inControlRun) {
          oneLine.append(' ');
        }
        inControlRun = true;
      } else {
        oneLine.append(c);
        inControlRun = false;
      }
    }
    return oneLine.length() <= QUOTE_LIMIT
        ? oneLine.toString()
        : oneLine.substring(0, QUOTE_LIMIT) + "…";
  }

  static JsonNode emptyInput() {
    return JSON.createObjectNode();
  }
}
