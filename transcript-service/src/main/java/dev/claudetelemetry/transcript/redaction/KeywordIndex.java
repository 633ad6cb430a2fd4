package dev.claudetelemetry.transcript.redaction;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Queue;

/**
 * Which of a list of entries (each a set of keywords, such as one pattern's keywords or one of its
 * literals, see {@link Prefilter}) occur in a text, found in one pass (an Aho-Corasick automaton
 * over the lower-cased keywords, as gitleaks prefilters its rules). With a few hundred rules,
 * trying each rule's keywords with {@code contains} would read every string hundreds of times; the
 * automaton reads it once, and most strings mention no keyword at all.
 *
 * <p>Keywords match case-insensitively (ASCII). Keywords are ASCII in gitleaks' rule set; a
 * non-ASCII character in the text restarts the automaton, which cannot hide an ASCII keyword.
 */
final class KeywordIndex {
  private static final int ALPHABET = 128;

  /**
   * The automaton reads character classes, not characters: each character of some keyword is a
   * class (upper case with its lower case), every other character is class 0, which leads back to
   * the start. The transition table stays small enough to stay in the CPU's cache.
   */
  private final byte[] classOf = new byte[ALPHABET];

  private final int classes;

  /** delta[state * classes + class]: the next state, failure transitions already folded in. */
  private final int[] delta;

  /** For each state, the patterns (bit per index) whose keyword ends there, or null. */
  private final long[][] matches;

  private final int words;

  /**
   * @param keywordsByPattern for entry i, its keywords (empty: the entry is never reported)
   */
  KeywordIndex(List<List<String>> keywordsByPattern) {
    words = Math.max(1, (keywordsByPattern.size() + 63) / 64);
    int distinct = 1;
    for (List<String> keywords : keywordsByPattern) {
      for (String keyword : keywords) {
        for (char c : keyword.toLowerCase(Locale.ROOT).toCharArray()) {
          if (c < ALPHABET && classOf[c] == 0) {
            if (distinct > Byte.MAX_VALUE) {
              throw new IllegalArgumentException("too many distinct keyword characters");
            }
            classOf[c] = (byte) distinct++;
            if (c >= 'a' && c <= 'z') {
              classOf[c - 'a' + 'A'] = classOf[c];
            }
          }
        }
      }
    }
    classes = distinct;
    List<int[]> next = new ArrayList<>();
    List<long[]> output = new ArrayList<>();
    next.add(newRow());
    output.add(null);
    for (int pattern = 0; pattern < keywordsByPattern.size(); pattern++) {
      for (String keyword : keywordsByPattern.get(pattern)) {
        String lower = keyword.toLowerCase(Locale.ROOT);
        if (lower.isEmpty() || !lower.chars().allMatch(c -> c < ALPHABET)) {
          throw new IllegalArgumentException("keyword must be non-empty ASCII: " + keyword);
        }
        int state = 0;
        for (int k = 0; k < lower.length(); k++) {
          int c = classOf[lower.charAt(k)];
          if (next.get(state)[c] < 0) {
            next.get(state)[c] = next.size();
            next.add(newRow());
            output.add(null);
          }
          state = next.get(state)[c];
        }
        long[] bits = output.get(state);
        if (bits == null) {
          bits = new long[words];
          output.set(state, bits);
        }
        bits[pattern >>> 6] |= 1L << pattern;
      }
    }
    int states = next.size();
    delta = new int[states * classes];
    matches = new long[states][];
    int[] fail = new int[states];
    Queue<Integer> queue = new ArrayDeque<>();
    for (int c = 0; c < classes; c++) {
      int child = next.get(0)[c];
      delta[c] = Math.max(child, 0);
      if (child > 0) {
        fail[child] = 0;
        queue.add(child);
      }
    }
    matches[0] = output.get(0);
    while (!queue.isEmpty()) {
      int state = queue.remove();
      matches[state] = union(output.get(state), matches[fail[state]]);
      for (int c = 0; c < classes; c++) {
        int child = next.get(state)[c];
        if (child > 0) {
          fail[child] = delta[fail[state] * classes + c];
          delta[state * classes + c] = child;
          queue.add(child);
        } else {
          delta[state * classes + c] = delta[fail[state] * classes + c];
        }
      }
    }
  }

  /** A bit per entry one of whose keywords occurs in {@code text}; null when none does. */
  long[] patternsMentionedIn(String text) {
    long[] found = null;
    int state = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      state = delta[state * classes + (c < ALPHABET ? classOf[c] : 0)];
      long[] here = matches[state];
      if (here != null) {
        if (found == null) {
          found = new long[words];
        }
        for (int w = 0; w < words; w++) {
          found[w] |= here[w];
        }
      }
    }
    return found;
  }

  static boolean contains(long[] bits, int pattern) {
    return bits != null && (bits[pattern >>> 6] & (1L << pattern)) != 0;
  }

  private int[] newRow() {
    int[] row = new int[classes];
    Arrays.fill(row, -1);
    return row;
  }

  private static long[] union(long[] a, long[] b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    long[] both = a.clone();
    for (int w = 0; w < both.length; w++) {
      both[w] |= b[w];
    }
    return both;
  }
}
