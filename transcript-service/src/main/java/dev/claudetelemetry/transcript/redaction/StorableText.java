package dev.claudetelemetry.transcript.redaction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Makes JSON string values storable in PostgreSQL: NUL characters and lone UTF-16 surrogates (a
 * string cut in the middle of an emoji) are refused by text, json and jsonb columns, so they become
 * U+FFFD.
 */
public final class StorableText {
  private StorableText() {}

  /** Replaces NUL and lone surrogates in string values with U+FFFD; true if anything changed. */
  public static boolean sanitise(JsonNode node) {
    boolean changed = false;
    if (node instanceof ObjectNode object) {
      Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (field.getValue().isTextual()) {
          String clean = clean(field.getValue().textValue());
          if (clean != null) {
            field.setValue(TextNode.valueOf(clean));
            changed = true;
          }
        } else {
          changed |= sanitise(field.getValue());
        }
      }
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        if (array.get(i).isTextual()) {
          String clean = clean(array.get(i).textValue());
          if (clean != null) {
            array.set(i, TextNode.valueOf(clean));
            changed = true;
          }
        } else {
          changed |= sanitise(array.get(i));
        }
      }
    }
    return changed;
  }

  /** The cleaned string, or null when it was already clean. */
  private static String clean(String value) {
    StringBuilder out = null;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean bad = c == '\0';
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
          if (out != null) {
            out.append(c).append(value.charAt(i + 1));
          }
          i++;
          continue;
        }
        bad = true;
      } else if (Character.isLowSurrogate(c)) {
        bad = true;
      }
      if (bad && out == null) {
        out = new StringBuilder(value.length()).append(value, 0, i);
      }
      if (out != null) {
        out.append(bad ? '\uFFFD' : c);
      }
    }
    return out == null ? null : out.toString();
  }
}
