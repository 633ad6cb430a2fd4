package dev.claudetelemetry.transcript.redaction;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which patterns are worth trying on a text ({@link RedactionPattern#worthTrying}, and its
 * keywords), decided for all patterns from one pass over the text: every keyword, hint and required
 * literal of every pattern is a word of one {@link KeywordIndex}. Reading a string once instead of
 * once per hint and literal is what keeps a few hundred patterns cheap, since most strings mention
 * none of them.
 *
 * <p>Also in the index: the {@link NecessaryLiterals} of each pattern's regex, without which it
 * cannot match, so the answer stays the same while fewer texts get the regex run on them.
 *
 * <p>The index matches ASCII case-insensitively; hints and required literals are exact, so a
 * literal the index found is confirmed with {@code contains}, which is then rarely needed.
 */
final class Prefilter {
  private final List<RedactionPattern> patterns;
  private final KeywordIndex index;

  /** Per pattern: the index's word of its keywords (any of them), or -1 when it has none. */
  private final int[] keywordWord;

  /** Per pattern, per hint: the index's word of that hint. */
  private final int[][] hintWords;

  /** Per pattern, per required literal: the index's word of that literal. */
  private final int[][] requiredWords;

  /** Per pattern: the index's words of the {@link NecessaryLiterals} of its regex. */
  private final int[][] necessaryWords;

  /**
   * Per word of the index: the patterns (bit per index) not worth trying unless it occurs, or null.
   * Each pattern is listed under one word it needs (or under each of its hints), so that a text is
   * checked against the few patterns its words name, not against every pattern.
   */
  private final long[][] patternsNeeding;

  /** The patterns (bit per index) with no word to look for: worth trying on every text. */
  private final long[] alwaysTried;

  Prefilter(List<RedactionPattern> patterns) {
    this.patterns = List.copyOf(patterns);
    int n = patterns.size();
    keywordWord = new int[n];
    hintWords = new int[n][];
    requiredWords = new int[n][];
    necessaryWords = new int[n][];
    List<List<String>> words = new ArrayList<>();
    for (int p = 0; p < n; p++) {
      RedactionPattern pattern = patterns.get(p);
      keywordWord[p] = pattern.keywords().isEmpty() ? -1 : add(words, pattern.keywords());
      hintWords[p] = addEach(words, pattern.hints());
      requiredWords[p] = addEach(words, pattern.required());
      necessaryWords[p] =
          necessaryLiterals(pattern.pattern()).stream()
              .mapToInt(anyOf -> add(words, List.copyOf(anyOf)))
              .toArray();
    }
    index = new KeywordIndex(words);
    patternsNeeding = new long[words.size()][];
    alwaysTried = new long[(n + 63) / 64];
    for (int p = 0; p < n; p++) {
      int[] needed;
      if (keywordWord[p] >= 0) {
        needed = new int[] {keywordWord[p]};
      } else if (necessaryWords[p].length > 0) {
        needed = new int[] {necessaryWords[p][0]};
      } else if (requiredWords[p].length > 0) {
        needed = new int[] {requiredWords[p][0]};
      } else {
        needed = hintWords[p];
      }
      if (needed.length == 0) {
        alwaysTried[p >>> 6] |= 1L << p;
      }
      for (int word : needed) {
        if (patternsNeeding[word] == null) {
          patternsNeeding[word] = new long[alwaysTried.length];
        }
        patternsNeeding[word][p >>> 6] |= 1L << p;
      }
    }
  }

  /** Flags given to {@code Pattern.compile} other than these change what literals mean. */
  private static final int LITERAL_PRESERVING_FLAGS =
      Pattern.CASE_INSENSITIVE | Pattern.MULTILINE | Pattern.DOTALL;

  private static List<Set<String>> necessaryLiterals(Pattern regex) {
    return (regex.flags() & ~LITERAL_PRESERVING_FLAGS) == 0
        ? NecessaryLiterals.of(regex.pattern())
        : List.of();
  }

  private static int add(List<List<String>> words, List<String> anyOf) {
    words.add(anyOf);
    return words.size() - 1;
  }

  private static int[] addEach(List<List<String>> words, List<String> literals) {
    int[] ids = new int[literals.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = add(words, List.of(literals.get(i)));
    }
    return ids;
  }

  /** What {@link #worthTrying} needs to know about {@code text}; computed once per text. */
  long[] scan(String text) {
    return index.patternsMentionedIn(text);
  }

  /**
   * The patterns (bit per index, see {@link #next}) that may be worth trying on the text {@code
   * scanned} was computed from: every pattern {@link #worthTrying} says yes to is among them.
   */
  long[] candidates(long[] scanned) {
    long[] candidates = alwaysTried.clone();
    if (scanned == null) {
      return candidates;
    }
    for (int w = 0; w < scanned.length; w++) {
      for (long bits = scanned[w]; bits != 0; bits &= bits - 1) {
        long[] needing = patternsNeeding[w * 64 + Long.numberOfTrailingZeros(bits)];
        if (needing != null) {
          for (int i = 0; i < candidates.length; i++) {
            candidates[i] |= needing[i];
          }
        }
      }
    }
    return candidates;
  }

  /** The first pattern at or after {@code from} among {@code candidates}, or -1. */
  static int next(long[] candidates, int from) {
    int w = from >>> 6;
    if (w >= candidates.length) {
      return -1;
    }
    long bits = candidates[w] & (-1L << from);
    while (true) {
      if (bits != 0) {
        return w * 64 + Long.numberOfTrailingZeros(bits);
      }
      if (++w == candidates.length) {
        return -1;
      }
      bits = candidates[w];
    }
  }

  /**
   * Whether pattern {@code p} is worth trying on {@code text}, given {@code scan(text)}: the same
   * answer as checking its keywords (any case) and {@link RedactionPattern#worthTrying} directly,
   * or no where its regex cannot match.
   */
  boolean worthTrying(int p, long[] scanned, String text) {
    if (keywordWord[p] >= 0 && !KeywordIndex.contains(scanned, keywordWord[p])) {
      return false;
    }
    for (int word : necessaryWords[p]) {
      if (!KeywordIndex.contains(scanned, word)) {
        return false;
      }
    }
    RedactionPattern pattern = patterns.get(p);
    int[] required = requiredWords[p];
    for (int i = 0; i < required.length; i++) {
      if (!KeywordIndex.contains(scanned, required[i])
          || !text.contains(pattern.required().get(i))) {
        return false;
      }
    }
    int[] hints = hintWords[p];
    if (hints.length == 0) {
      return true;
    }
    for (int i = 0; i < hints.length; i++) {
      if (KeywordIndex.contains(scanned, hints[i]) && text.contains(pattern.hints().get(i))) {
        return true;
      }
    }
    return false;
  }

  /** Whether pattern {@code p}'s keywords occur in the text {@code scanned} was computed from. */
  boolean mentionsKeyword(int p, long[] scanned) {
    return keywordWord[p] < 0 || KeywordIndex.contains(scanned, keywordWord[p]);
  }
}
