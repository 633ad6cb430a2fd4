package dev.claudetelemetry.policy.rules;

import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.cel.runtime.CelStandardFunctions;
import dev.cel.runtime.CelVariableResolver;

/**
 * A rule's {@code when:} condition in CEL, compiled once when the policy loads.
 *
 * <p>Variables: {@code tool}, {@code event}, {@code permissionMode}, {@code cwd}, {@code
 * workspace}, {@code home} (strings); {@code command} (the whole Bash command line), {@code name}
 * and {@code argv} (the simple command being judged, empty for file tools), {@code paths}
 * (normalised paths it touches), {@code input} (the tool input as a map).
 */
final class CelCondition {

  private static final CelCompiler COMPILER =
      CelCompilerFactory.standardCelCompilerBuilder()
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("tool", SimpleType.STRING)
          .addVar("event", SimpleType.STRING)
          .addVar("permissionMode", SimpleType.STRING)
          .addVar("cwd", SimpleType.STRING)
          .addVar("workspace", SimpleType.STRING)
          .addVar("home", SimpleType.STRING)
          .addVar("command", SimpleType.STRING)
          .addVar("name", SimpleType.STRING)
          .addVar("argv", ListType.create(SimpleType.STRING))
          .addVar("paths", ListType.create(SimpleType.STRING))
          .addVar("input", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .setResultType(SimpleType.BOOL)
          .build();

  /**
   * The options CelRuntimeFactory.standardCelRuntimeBuilder() sets, named so that {@link CelRegex}
   * follows them.
   */
  private static final CelOptions OPTIONS = CelOptions.current().build();

  private static final CelRegex REGEX = new CelRegex(OPTIONS);
  private static final CelRuntime RUNTIME =
      CelRuntimeFactory.standardCelRuntimeBuilder()
          .setOptions(OPTIONS)
          .setStandardEnvironmentEnabled(false)
          .setStandardFunctions(
              CelStandardFunctions.newBuilder()
                  .excludeFunctions(CelStandardFunctions.StandardFunction.MATCHES)
                  .build())
          // matches(s, re) and s.matches(re), with the overload ids of the standard library
          .addFunctionBindings(
              CelFunctionBinding.from("matches", String.class, String.class, REGEX::matches),
              CelFunctionBinding.from("matches_string", String.class, String.class, REGEX::matches))
          .build();

  private final String expression;
  private final CelRuntime.Program program;

  private CelCondition(String expression, CelRuntime.Program program) {
    this.expression = expression;
    this.program = program;
  }

  /**
   * @throws IllegalArgumentException with CEL's own message when the expression does not compile
   */
  static CelCondition compile(String expression) {
    try {
      CelValidationResult result = COMPILER.compile(expression);
      if (result.hasError()) {
        throw new IllegalArgumentException(result.getErrorString());
      }
      return new CelCondition(expression, RUNTIME.createProgram(result.getAst()));
    } catch (dev.cel.common.CelValidationException | CelEvaluationException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  String expression() {
    return expression;
  }

  /**
   * Evaluates the condition. A runtime error (say, {@code argv[3]} on a shorter argv) counts as
   * true: a guard that cannot decide must not let the call through silently.
   */
  boolean test(CelVariableResolver variables) {
    try {
      return Boolean.TRUE.equals(program.eval(variables));
    } catch (CelEvaluationException | RuntimeException e) {
      return true;
    }
  }
}
