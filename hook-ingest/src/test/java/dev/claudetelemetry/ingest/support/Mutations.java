package dev.claudetelemetry.ingest.support;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * Mutations of valid hook inputs for fuzzing: byte noise, truncation, splices, deep nesting, type
 * swaps.
 */
public final class Mutations {

  private static final String[] TOKENS = {
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "null",
    "true",
    "-1",
    "1e999",
    "\"hook_event_name\"",
    "\"session_id\"",
    "\"tool_use_id\"",
    "\"duration_ms\"",
    "\"is_interrupt\"",
    "\\u0000",
    "\uFFFF",
    "\uD800"
  };

  private Mutations() {}

  public static byte[] mutate(byte[] valid, Random random) {
    byte[] body = valid.clone();
    int rounds = 1 + random.nextInt(3);
    for (int r = 0; r < rounds; r++) {
      body =
          switch (random.nextInt(9)) {
            case 0 -> flipBytes(body, random);
            case 1 -> Arrays.copyOf(body, random.nextInt(body.length + 1));
            case 2 ->
                insert(
                    body,
                    random,
                    TOKENS[random.nextInt(TOKENS.length)].getBytes(StandardCharsets.UTF_8));
            case 3 -> randomBytes(random);
            case 4 -> nest(random);
            case 5 ->
                swapValue(
                    body,
                    random,
                    "\"duration_ms\":",
                    new String[] {"\"x\"", "-5", "[]", "1.5", "null", "1e308"});
            case 6 ->
                swapValue(
                    body,
                    random,
                    "\"session_id\":",
                    new String[] {"1", "{}", "\"\"", "null", "[\"a\"]"});
            case 7 ->
                swapValue(
                    body,
                    random,
                    "\"hook_event_name\":",
                    new String[] {"\"Unknown\"", "2", "\"\"", "false"});
            default -> body; // unchanged: valid inputs must keep being accepted
          };
    }
    return body;
  }

  private static byte[] flipBytes(byte[] body, Random random) {
    if (body.length == 0) {
      return body;
    }
    for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
      body[random.nextInt(body.length)] = (byte) random.nextInt(256);
    }
    return body;
  }

  private static byte[] insert(byte[] body, Random random, byte[] token) {
    int at = random.nextInt(body.length + 1);
    byte[] out = new byte[body.length + token.length];
    System.arraycopy(body, 0, out, 0, at);
    System.arraycopy(token, 0, out, at, token.length);
    System.arraycopy(body, at, out, at + token.length, body.length - at);
    return out;
  }

  private static byte[] randomBytes(Random random) {
    byte[] out = new byte[random.nextInt(64)];
    random.nextBytes(out);
    return out;
  }

  private static byte[] nest(Random random) {
    int depth = 1 + random.nextInt(5000);
    String open = random.nextBoolean() ? "[" : "{\"a\":";
    String close = open.equals("[") ? "]" : "}";
    return ("{\"hook_event_name\":\"Stop\",\"session_id\":\"s\",\"x\":"
            + open.repeat(depth)
            + "1"
            + close.repeat(depth)
            + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] swapValue(byte[] body, Random random, String key, String[] values) {
    String text = new String(body, StandardCharsets.UTF_8);
    int at = text.indexOf(key);
    if (at < 0) {
      return body;
    }
    int start = at + key.length();
    while (start < text.length() && text.charAt(start) == ' ') {
      start++;
    }
    int end = start;
    if (end < text.length() && text.charAt(end) == '"') {
      end = text.indexOf('"', end + 1) + 1;
    } else {
      while (end < text.length() && ",}".indexOf(text.charAt(end)) < 0) {
        end++;
      }
    }
    if (end <= start) {
      return body;
    }
    return (text.substring(0, start) + values[random.nextInt(values.length)] + text.substring(end))
        .getBytes(StandardCharsets.UTF_8);
  }
}
