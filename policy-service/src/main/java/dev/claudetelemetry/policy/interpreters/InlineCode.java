package dev.claudetelemetry.policy.interpreters;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds the code an interpreter command runs inline: {@code python3 -c CODE}, {@code node -e CODE},
 * {@code perl -e CODE}, {@code ruby -e CODE}, {@code php -r CODE}, {@code deno eval CODE}, {@code
 * bun -e CODE}, or its standard input ({@code python3 - <<EOF}, {@code node < x}, a bare {@code
 * python3} in a pipeline). A script file operand ({@code python3 x.py}) or a module ({@code -m}) is
 * not inline code.
 *
 * @param language the language of the code
 * @param code the code, or {@code null} when the interpreter reads it from standard input
 */
public record InlineCode(Language language, String code) {

  private static final Pattern PYTHON = Pattern.compile("python[0-9.]*|pypy[0-9.]*");
  private static final Set<String> PYTHON_OPTIONS_WITH_VALUE = Set.of("-W", "-X", "-Q");
  private static final Set<String> NODE_OPTIONS_WITH_VALUE =
      Set.of(
          "-r",
          "--require",
          "--import",
          "--loader",
          "--experimental-loader",
          "-C",
          "--conditions",
          "--input-type");

  public static Optional<InlineCode> find(List<String> argv) {
    if (argv.isEmpty()) {
      return Optional.empty();
    }
    String word = argv.get(0);
    String name = word.substring(word.lastIndexOf('/') + 1);
    if (PYTHON.matcher(name).matches()) {
      return python(argv);
    }
    return switch (name) {
      case "node", "nodejs" -> node(argv, 1);
      case "bun" -> bun(argv);
      case "deno" -> deno(argv);
      case "perl" -> perlOrRuby(Language.PERL, argv, "eE");
      case "ruby" -> perlOrRuby(Language.RUBY, argv, "e");
      case "php" -> php(argv);
      default -> Optional.empty();
    };
  }

  private static Optional<InlineCode> python(List<String> argv) {
    for (int i = 1; i < argv.size(); i++) {
      String word = argv.get(i);
      if (word.equals("-c")) {
        return i + 1 < argv.size()
            ? Optional.of(new InlineCode(Language.PYTHON, argv.get(i + 1)))
            : Optional.empty();
      }
      if (word.startsWith("-")
          && !word.startsWith("--")
          && word.length() > 2
          && word.endsWith("c")) {
        // -Ic, -uc: single-letter flags ending in c take the code next.
        return i + 1 < argv.size()
            ? Optional.of(new InlineCode(Language.PYTHON, argv.get(i + 1)))
            : Optional.empty();
      }
      if (word.equals("-m") || (word.startsWith("-m") && !word.startsWith("--"))) {
        return Optional.empty();
      }
      if (word.equals("-")) {
        return Optional.of(new InlineCode(Language.PYTHON, null));
      }
      if (!word.startsWith("-")) {
        return Optional.empty();
      }
      if (PYTHON_OPTIONS_WITH_VALUE.contains(word)) {
        i++;
      }
    }
    return Optional.of(new InlineCode(Language.PYTHON, null));
  }

  private static Optional<InlineCode> node(List<String> argv, int from) {
    for (int i = from; i < argv.size(); i++) {
      String word = argv.get(i);
      if (word.equals("-e")
          || word.equals("--eval")
          || word.equals("-p")
          || word.equals("--print")
          || word.equals("-pe")) {
        return i + 1 < argv.size()
            ? Optional.of(new InlineCode(Language.JAVASCRIPT, argv.get(i + 1)))
            : Optional.empty();
      }
      if (word.startsWith("--eval=") || word.startsWith("--print=")) {
        return Optional.of(
            new InlineCode(Language.JAVASCRIPT, word.substring(word.indexOf('=') + 1)));
      }
      if (word.equals("-")) {
        return Optional.of(new InlineCode(Language.JAVASCRIPT, null));
      }
      if (!word.startsWith("-")) {
        return Optional.empty();
      }
      if (NODE_OPTIONS_WITH_VALUE.contains(word)) {
        i++;
      }
    }
    return Optional.of(new InlineCode(Language.JAVASCRIPT, null));
  }

  private static Optional<InlineCode> bun(List<String> argv) {
    Optional<InlineCode> inline = node(argv, 1);
    // "bun x.ts", "bun run build", "bun install": not inline code; bare "bun" prints help.
    return inline.filter(code -> code.code() != null || argv.contains("-"));
  }

  private static Optional<InlineCode> deno(List<String> argv) {
    if (argv.size() > 1 && argv.get(1).equals("eval")) {
      for (int i = 2; i < argv.size(); i++) {
        if (!argv.get(i).startsWith("-")) {
          return Optional.of(new InlineCode(Language.JAVASCRIPT, argv.get(i)));
        }
      }
    }
    if (argv.size() > 2 && argv.get(1).equals("run") && argv.get(argv.size() - 1).equals("-")) {
      return Optional.of(new InlineCode(Language.JAVASCRIPT, null));
    }
    return Optional.empty();
  }

  /** {@code -e CODE} (several join with newlines), also bundled: {@code -ne}, {@code -lpe}. */
  private static Optional<InlineCode> perlOrRuby(
      Language language, List<String> argv, String letters) {
    StringBuilder code = null;
    for (int i = 1; i < argv.size(); i++) {
      String word = argv.get(i);
      if (word.equals("--")) {
        break;
      }
      if (word.startsWith("-")
          && !word.startsWith("--")
          && word.length() > 1
          && letters.indexOf(word.charAt(word.length() - 1)) >= 0
          && word.substring(1).chars().allMatch(Character::isLetter)) {
        if (i + 1 < argv.size()) {
          code = code == null ? new StringBuilder() : code.append('\n');
          code.append(argv.get(++i));
        }
        continue;
      }
      if (code == null && !word.startsWith("-")) {
        return Optional.empty();
      }
      if (code != null && !word.startsWith("-")) {
        break;
      }
    }
    if (code != null) {
      return Optional.of(new InlineCode(language, code.toString()));
    }
    return Optional.of(new InlineCode(language, null));
  }

  private static Optional<InlineCode> php(List<String> argv) {
    for (int i = 1; i < argv.size(); i++) {
      String word = argv.get(i);
      if (word.equals("-r") && i + 1 < argv.size()) {
        return Optional.of(new InlineCode(Language.PHP, "<?php " + argv.get(i + 1)));
      }
      if (word.equals("-f") || !word.startsWith("-")) {
        return Optional.empty();
      }
    }
    return Optional.of(new InlineCode(Language.PHP, null));
  }
}
