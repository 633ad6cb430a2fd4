// In-process latency of policy evaluation over the labelled corpus, with two baselines measured side by side
// in the same run: a naive substring check (what the starting stack did) and the raw tree-sitter parse alone.
// Run through run.sh, which puts the packaged service on the classpath:
//   java -cp "policy-service/target/quarkus-app/app/*:policy-service/target/quarkus-app/lib/main/*" bench/policy-service/EvaluationBench.java
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.claudetelemetry.policy.paths.PathNormalizer;
import dev.claudetelemetry.policy.rules.Policy;
import dev.claudetelemetry.policy.rules.PolicyEvaluator;
import dev.claudetelemetry.policy.rules.PolicyLoader;
import dev.claudetelemetry.policy.rules.ToolCall;
import dev.claudetelemetry.policy.shell.BashAnalyzer;
import dev.claudetelemetry.treesitter.TreeSitterNatives;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;
import org.treesitter.TSParser;
import org.treesitter.TreeSitterBash;

public class EvaluationBench {

    static final String WORKSPACE = "/home/claude-user/workspace";
    static final String TRANSCRIPT = "/home/claude-user/.claude/projects/-home-claude-user-workspace/s.jsonl";
    static volatile int sink;
    static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        Path corpus = Path.of(args.length > 0 ? args[0] : "policies/tests");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        PolicyEvaluator evaluator = new PolicyEvaluator(new BashAnalyzer(5, 64 * 1024), new PathNormalizer(true));
        byte[] policyBytes = Files.readAllBytes(Path.of("policies/default-policy.yaml"));
        long loadStart = System.nanoTime();
        Policy policy = new PolicyLoader(evaluator).load(policyBytes, "bench");
        long loadNanos = System.nanoTime() - loadStart;
        List<ToolCall> calls = calls(corpus);
        BashAnalyzer analyzer = new BashAnalyzer(5, 64 * 1024);
        PolicyEvaluator lexicalOnly = new PolicyEvaluator(new BashAnalyzer(5, 64 * 1024), new PathNormalizer(false));
        TreeSitterBash bash = TreeSitterNatives.load(TreeSitterBash::new);

        List<Variant> variants = List.of(
                new Variant("naive substring check (starting stack)", call -> naive(call.command())),
                new Variant("shell analysis (parse + walk + unwrap)", call -> analyzer.analyze(call.command(), WORKSPACE).commands().size()),
                new Variant("tree-sitter parse, new parser per call", call -> {
                    try (TSParser parser = new TSParser()) {
                        parser.setLanguage(bash);
                        return parser.parseString(null, call.command()).getRootNode().getChildCount();
                    }
                }),
                new Variant("full evaluation, symlinks not followed", call -> lexicalOnly.evaluate(policy, call).verdict().ordinal()),
                new Variant("full evaluation, shipped policy", call -> evaluator.evaluate(policy, call).verdict().ordinal()),
                // The same, timed by the thread's CPU clock: on a loaded machine wall time also counts the time the
                // thread waited for a core, CPU time only what the evaluation itself used.
                new Variant("full evaluation, thread CPU time", call -> evaluator.evaluate(policy, call).verdict().ordinal(), true));

        System.out.printf("tree-sitter natives: %s%n", TreeSitterNatives.directory());
        System.out.printf("corpus: %d tool calls from %s; %d measured rounds after %d warm-up rounds; policy load (schema, CEL, %d rules' examples): %.1f ms%n",
                calls.size(), corpus, rounds, rounds / 2, policy.rules().size(), loadNanos / 1e6);
        for (int round = 0; round < rounds / 2; round++) {
            for (Variant variant : variants) {
                variant.run(calls, null);
            }
        }
        for (Variant variant : variants) {
            variant.samples = new long[rounds * calls.size()];
        }
        int[] offset = new int[variants.size()];
        for (int round = 0; round < rounds; round++) {
            // interleaved, so every variant sees the same machine load
            for (int v = 0; v < variants.size(); v++) {
                variants.get(v).run(calls, offset);
            }
        }
        System.out.printf("%-46s %9s %9s %9s %9s %9s%n", "variant (per call, microseconds)", "p50", "p90", "p99", "p99.9", "max");
        for (Variant variant : variants) {
            variant.unsortedCopy = variant.samples.clone();
            long[] s = variant.samples;
            Arrays.sort(s);
            System.out.printf("%-46s %9.2f %9.2f %9.2f %9.2f %9.2f%n", variant.name, pct(s, 50), pct(s, 90), pct(s, 99), pct(s, 99.9), s[s.length - 1] / 1e3);
        }
        Variant full = variants.get(variants.size() - 2);
        for (int v = 0; v < variants.size() - 2; v++) {
            System.out.printf("full evaluation / %s: p50 %.1fx, p99 %.1fx%n", variants.get(v).name, pct(full.samples, 50) / pct(variants.get(v).samples, 50),
                    pct(full.samples, 99) / pct(variants.get(v).samples, 99));
        }
        System.out.printf("target: full evaluation p99 < 200 us -> %s%n", pct(full.samples, 99) < 200 ? "met" : "NOT met");
        slowestCases(full, calls, rounds, 8);
        slowestCases(variants.get(variants.size() - 1), calls, rounds, 8);
    }

    static final class Variant {
        final String name;
        final ToIntFunction<ToolCall> body;
        final boolean cpuClock;
        long[] samples;
        long[] unsortedCopy;
        int next;

        Variant(String name, ToIntFunction<ToolCall> body) {
            this(name, body, false);
        }

        Variant(String name, ToIntFunction<ToolCall> body, boolean cpuClock) {
            this.name = name;
            this.body = body;
            this.cpuClock = cpuClock;
        }

        void run(List<ToolCall> calls, int[] unused) {
            for (ToolCall call : calls) {
                long start = cpuClock ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
                sink += body.applyAsInt(call);
                long elapsed = (cpuClock ? THREADS.getCurrentThreadCpuTime() : System.nanoTime()) - start;
                if (samples != null) {
                    samples[next++] = elapsed;
                }
            }
        }
    }

    /** The starting stack's guard: substring tests on the raw command. */
    static int naive(String command) {
        return command.contains("rm -rf") || command.contains(".env") || command.contains("git push --force") ? 1 : 0;
    }

    /** The corpus calls that make the tail: each call's median over the rounds, largest first. */
    static void slowestCases(Variant variant, List<ToolCall> calls, int rounds, int shown) {
        long[] unsorted = variant.unsortedCopy;
        record Case(ToolCall call, double medianMicros) {}
        List<Case> cases = new ArrayList<>();
        for (int c = 0; c < calls.size(); c++) {
            long[] perCall = new long[rounds];
            for (int round = 0; round < rounds; round++) {
                perCall[round] = unsorted[round * calls.size() + c];
            }
            Arrays.sort(perCall);
            cases.add(new Case(calls.get(c), perCall[rounds / 2] / 1e3));
        }
        cases.sort((a, b) -> Double.compare(b.medianMicros, a.medianMicros));
        System.out.printf("slowest corpus calls for %s (median over the rounds):%n", variant.name);
        for (Case slow : cases.subList(0, Math.min(shown, cases.size()))) {
            String what = slow.call.tool().equals("Bash") ? slow.call.command() : slow.call.tool() + " " + slow.call.input().path("file_path").asText();
            System.out.printf("  %8.1f us  %s%n", slow.medianMicros, what.length() > 110 ? what.substring(0, 110) + "..." : what.replace('\n', ' '));
        }
    }

    static double pct(long[] sorted, double p) {
        int index = (int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e3;
    }

    static List<ToolCall> calls(Path corpus) throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        List<ToolCall> calls = new ArrayList<>();
        try (Stream<Path> files = Files.list(corpus)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                for (JsonNode node : yaml.readTree(file.toFile()).path("cases")) {
                    String cwd = node.path("cwd").asText(WORKSPACE);
                    ObjectNode input = yaml.createObjectNode();
                    if (node.has("bash")) {
                        input.put("command", node.get("bash").asText());
                        calls.add(new ToolCall("PreToolUse", "Bash", input, cwd, TRANSCRIPT, "default"));
                    } else {
                        input.put("file_path", node.path("path").asText());
                        calls.add(new ToolCall("PreToolUse", node.path("tool").asText(), input, cwd, TRANSCRIPT, "default"));
                    }
                }
            }
        }
        return calls;
    }
}
