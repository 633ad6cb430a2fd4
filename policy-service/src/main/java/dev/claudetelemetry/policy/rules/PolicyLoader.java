package dev.claudetelemetry.policy.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.claudetelemetry.policy.paths.Glob;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns policy YAML into an active {@link Policy}, or refuses it: schema errors, bad globs, CEL
 * that does not compile, and rules whose own examples fail are all reported, each naming its rule.
 */
public final class PolicyLoader {

  /** Policies larger than this are refused before parsing. */
  public static final int MAX_POLICY_BYTES = 1024 * 1024;

  private static final String DEFAULT_EXAMPLE_CWD = "/home/claude-user/workspace";
  private static final String DEFAULT_EXAMPLE_HOME = "/home/claude-user";

  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
  private final PolicySchema schema = new PolicySchema();
  private final PolicyEvaluator evaluator;

  public PolicyLoader(PolicyEvaluator evaluator) {
    this.evaluator = evaluator;
  }

  public Policy load(byte[] bytes, String origin) throws PolicyRefusedException {
    if (bytes.length > MAX_POLICY_BYTES) {
      throw new PolicyRefusedException(
          List.of(
              "the policy is "
                  + bytes.length
                  + " bytes, more than the limit of "
                  + MAX_POLICY_BYTES));
    }
    String source = new String(bytes, StandardCharsets.UTF_8);
    List<String> problems = new ArrayList<>();
    JsonNode root;
    try {
      root = yaml.readTree(source);
    } catch (JsonProcessingException e) {
      throw new PolicyRefusedException(List.of("not valid YAML: " + e.getOriginalMessage()));
    }
    if (root == null || !root.isObject()) {
      throw new PolicyRefusedException(List.of("the policy must be a YAML mapping"));
    }
    problems.addAll(schema.violations(source));
    if (!problems.isEmpty()) {
      throw new PolicyRefusedException(problems);
    }
    PolicySettings settings = settings(root.path("settings"), problems);
    JsonNode exampleSettings = root.path("settings").path("examples");
    String exampleCwd = exampleSettings.path("cwd").asText(DEFAULT_EXAMPLE_CWD);
    String exampleHome = exampleSettings.path("home").asText(DEFAULT_EXAMPLE_HOME);
    List<Rule> rules = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (JsonNode node : root.path("rules")) {
      String id = node.path("id").asText();
      if (!ids.add(id)) {
        problems.add("rule " + id + ": the id is used twice");
        continue;
      }
      Rule rule = rule(node, exampleCwd, exampleHome, problems);
      if (rule != null) {
        rules.add(rule);
      }
    }
    for (Rule rule : rules) {
      checkExamples(rule, settings, problems);
    }
    if (!problems.isEmpty()) {
      throw new PolicyRefusedException(problems);
    }
    return new Policy(
        root.path("metadata").path("name").asText(),
        root.path("metadata").path("version").asText(),
        Policy.Mode.valueOf(root.path("mode").asText().toUpperCase(java.util.Locale.ROOT)),
        settings,
        List.copyOf(rules),
        source,
        sha256(bytes),
        origin,
        Instant.now());
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }

  private PolicySettings settings(JsonNode node, List<String> problems) {
    List<Glob> roots = globs(node.path("workspaceRoots"), "settings.workspaceRoots", problems);
    String home = node.hasNonNull("home") ? node.get("home").asText() : null;
    Verdict unparseable =
        node.hasNonNull("unparseable")
            ? Verdict.fromWireName(node.get("unparseable").asText())
            : Verdict.ASK;
    Verdict opaque =
        node.hasNonNull("opaque") ? Verdict.fromWireName(node.get("opaque").asText()) : Verdict.ASK;
    Map<String, String> environment = new java.util.LinkedHashMap<>();
    node.path("environment")
        .fields()
        .forEachRemaining(field -> environment.put(field.getKey(), field.getValue().asText()));
    return new PolicySettings(
        roots,
        home,
        unparseable,
        node.path("examples").path("cwd").asText(DEFAULT_EXAMPLE_CWD),
        opaque,
        environment);
  }

  private Rule rule(JsonNode node, String exampleCwd, String exampleHome, List<String> problems) {
    String id = node.path("id").asText();
    String where = "rule " + id;
    int before = problems.size();
    List<Matcher> matchers = new ArrayList<>();
    JsonNode match = node.path("match");
    if (match.isArray()) {
      for (int i = 0; i < match.size(); i++) {
        matchers.add(matcher(match.get(i), where + " match[" + i + "]", problems));
      }
    } else if (match.isObject()) {
      matchers.add(matcher(match, where + " match", problems));
    }
    CelCondition when = null;
    if (node.hasNonNull("when")) {
      try {
        when = CelCondition.compile(node.get("when").asText());
      } catch (IllegalArgumentException e) {
        problems.add(
            where
                + ": the when: expression does not compile: "
                + e.getMessage().strip().replace('\n', ' '));
      }
    }
    Verdict decision = Verdict.fromWireName(node.path("decision").asText());
    Enforcement enforcement = Enforcement.fromWireName(node.path("enforcement").asText("enforce"));
    if (enforcement == Enforcement.DRYRUN && decision == Verdict.ALLOW) {
      // A dry-run allow would have to say whether it, together with the enforced allow rules,
      // covers every command of a call: not worth the ambiguity until someone needs it.
      problems.add(
          where
              + ": enforcement: dryrun is for deny and ask rules; an allow rule can only be enforced"
              + " (try it in a policy with mode: audit instead)");
    }
    List<Example> examples =
        examples(node.path("examples"), decision, where, exampleCwd, exampleHome, problems);
    if (problems.size() > before) {
      return null;
    }
    return new Rule(
        id,
        node.path("description").asText(),
        strings(node.path("tools")),
        decision,
        node.path("message").asText(),
        List.copyOf(matchers),
        when,
        examples,
        enforcement);
  }

  private Matcher matcher(JsonNode node, String where, List<String> problems) {
    CommandMatcher command = null;
    JsonNode c = node.path("command");
    if (c.isObject()) {
      TargetMatcher targets = null;
      JsonNode t = c.path("targets");
      if (t.isObject()) {
        targets =
            new TargetMatcher(
                t.path("outsideWorkspace").asBoolean(false),
                t.path("workspaceRoot").asBoolean(false),
                globs(t.path("paths"), where + ".command.targets.paths", problems),
                globs(t.path("except"), where + ".command.targets.except", problems));
      }
      command =
          new CommandMatcher(
              strings(c.path("names")),
              strings(c.path("subcommands")),
              strings(c.path("flags")),
              strings(c.path("args")).stream().map(CommandMatcher::wildcard).toList(),
              targets,
              strings(c.path("pipedFrom")));
    }
    PathMatcher paths = null;
    JsonNode p = node.path("paths");
    if (p.isObject()) {
      String access = p.path("access").asText("any");
      paths =
          new PathMatcher(
              globs(p.path("globs"), where + ".paths.globs", problems),
              globs(p.path("except"), where + ".paths.except", problems),
              access.equals("any")
                  ? null
                  : Access.valueOf(access.toUpperCase(java.util.Locale.ROOT)),
              strings(p.path("exceptCommands")));
    }
    return new Matcher(command, paths);
  }

  private List<Example> examples(
      JsonNode node,
      Verdict decision,
      String where,
      String exampleCwd,
      String exampleHome,
      List<String> problems) {
    // The rule's own decision names the examples it must match. The ones it must leave alone go
    // under "none" (any rule) or, for a deny or ask rule, "allow" as well.
    String matchKey = decision.wireName();
    for (String key : List.of("deny", "ask", "allow")) {
      boolean nonMatchKey = key.equals("allow") && decision != Verdict.ALLOW;
      if (!key.equals(matchKey) && !nonMatchKey && node.has(key)) {
        problems.add(
            where
                + ": decides "
                + matchKey
                + ", so its matching examples belong under examples."
                + matchKey
                + ", not examples."
                + key);
      }
    }
    if (!node.path(matchKey).isArray() || node.path(matchKey).isEmpty()) {
      problems.add(where + ": needs at least one example under examples." + matchKey);
    }
    List<Example> examples = new ArrayList<>();
    for (JsonNode example : node.path(matchKey)) {
      examples.add(example(example, true, exampleCwd, exampleHome));
    }
    List<JsonNode> nonMatching = new ArrayList<>();
    node.path("none").forEach(nonMatching::add);
    if (decision != Verdict.ALLOW) {
      node.path("allow").forEach(nonMatching::add);
    }
    for (JsonNode example : nonMatching) {
      examples.add(example(example, false, exampleCwd, exampleHome));
    }
    return List.copyOf(examples);
  }

  private Example example(
      JsonNode node, boolean expectMatch, String exampleCwd, String exampleHome) {
    String transcript = exampleHome + "/.claude/projects/example/example.jsonl";
    if (node.isTextual()) {
      ObjectNode input = yaml.createObjectNode().put("command", node.asText());
      return new Example(
          node.asText(),
          new ToolCall("PreToolUse", "Bash", input, exampleCwd, transcript, "default"),
          expectMatch);
    }
    ObjectNode rest = ((ObjectNode) node).deepCopy();
    String tool = rest.has("tool") ? rest.remove("tool").asText() : "Bash";
    String cwd = rest.has("cwd") ? rest.remove("cwd").asText() : exampleCwd;
    JsonNode input = rest.has("input") ? rest.get("input") : rest;
    return new Example(
        node.toString(),
        new ToolCall("PreToolUse", tool, input, cwd, transcript, "default"),
        expectMatch);
  }

  private void checkExamples(Rule rule, PolicySettings settings, List<String> problems) {
    for (Example example : rule.examples()) {
      boolean matched;
      try {
        matched = evaluator.matches(rule, settings, example.call());
      } catch (RuntimeException e) {
        problems.add(
            "rule " + rule.id() + ": example " + example.label() + " failed to evaluate: " + e);
        continue;
      }
      if (matched != example.expectMatch()) {
        problems.add(
            "rule "
                + rule.id()
                + ": example "
                + example.label()
                + (example.expectMatch()
                    ? " should get "
                        + rule.decision().wireName()
                        + " from this rule but does not match it"
                    : " is listed as one the rule must not match, but the rule matches it"));
      }
    }
  }

  private static List<Glob> globs(JsonNode node, String where, List<String> problems) {
    List<Glob> globs = new ArrayList<>();
    for (JsonNode pattern : node) {
      try {
        globs.add(Glob.of(pattern.asText()));
      } catch (IllegalArgumentException e) {
        problems.add(where + ": " + e.getMessage());
      }
    }
    return List.copyOf(globs);
  }

  private static Set<String> strings(JsonNode node) {
    Set<String> values = new LinkedHashSet<>();
    node.forEach(value -> values.add(value.asText()));
    return java.util.Collections.unmodifiableSet(values);
  }
}
