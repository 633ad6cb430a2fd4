package dev.claudetelemetry.policy.interpreters;

import dev.claudetelemetry.treesitter.TreeSitterNatives;
import java.util.ArrayList;
import java.util.List;

/**
 * What inline interpreter code does, as {@link Effect}s the policy judges like shell commands.
 * Python and JavaScript are parsed with their tree-sitter grammars; Perl, Ruby and PHP are read by
 * {@link ScriptTokens}, a tokenizer that knows their string literals and call shapes.
 */
public final class InterpreterCode {

  static {
    // Before any tree-sitter class initialises: it must load tree-sitter-natives' optimised
    // libraries.
    TreeSitterNatives.directory();
  }

  /** Longer inline code is not read: it is judged opaque. */
  static final int MAX_CODE_CHARS = 64 * 1024;

  private InterpreterCode() {}

  /** Never throws: code the reader cannot get through is one opaque effect. */
  public static List<Effect> effects(Language language, String code) {
    List<Effect> effects = new ArrayList<>();
    if (code.length() > MAX_CODE_CHARS) {
      effects.add(Effect.opaque("the inline " + name(language) + " code is too long to read"));
      return effects;
    }
    if (!mayAct(language, code)) {
      return effects;
    }
    try {
      switch (language) {
        case PYTHON -> PythonCode.analyze(code, effects, 0);
        case JAVASCRIPT -> JavaScriptCode.analyze(code, effects, 0);
        default -> ScriptTokens.analyze(language, code, effects);
      }
    } catch (RuntimeException | StackOverflowError e) {
      effects.add(Effect.opaque("the inline " + name(language) + " code could not be read"));
    }
    return effects;
  }

  /**
   * Whether the code names anything the reader acts on. Parsing Python or JavaScript is most of the
   * cost of judging a one-liner, and most one-liners ({@code print(sys.version)}, {@code
   * console.log(process.version)}) call nothing that deletes, writes, reads or runs: every call the
   * readers act on is spelled, at the call or in the import that renamed it, with one of their
   * {@code CALL_WORDS}, so code without any of them cannot give an effect and is not parsed. Perl,
   * Ruby and PHP are read by a tokenizer that costs less than this test.
   */
  static boolean mayAct(Language language, String code) {
    List<String> words =
        switch (language) {
          case PYTHON -> PythonCode.CALL_WORDS;
          case JAVASCRIPT -> JavaScriptCode.CALL_WORDS;
          default -> null;
        };
    if (words == null) {
      return true;
    }
    for (String word : words) {
      if (code.contains(word)) {
        return true;
      }
    }
    return false;
  }

  static String name(Language language) {
    return switch (language) {
      case PYTHON -> "Python";
      case JAVASCRIPT -> "JavaScript";
      case PERL -> "Perl";
      case RUBY -> "Ruby";
      case PHP -> "PHP";
    };
  }
}
