package dev.claudetelemetry.deploy.chart;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * fabric8 models accept any field (each keeps unknown ones in {@code additionalProperties}); this
 * walks a model object and reports every such field with its path, which is what the API server's
 * strict field validation (kubectl's default since 1.27) would refuse.
 */
final class UnknownFields {

  private UnknownFields() {}

  static List<String> in(Object model) {
    List<String> found = new ArrayList<>();
    walk(model, model.getClass().getSimpleName(), found);
    return found;
  }

  private static void walk(Object node, String path, List<String> found) {
    if (node == null) {
      return;
    }
    if (node instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        walk(item, path + "[" + i++ + "]", found);
      }
      return;
    }
    if (node instanceof Map<?, ?> map) {
      map.forEach((key, value) -> walk(value, path + "[" + key + "]", found));
      return;
    }
    if (!node.getClass().getPackageName().startsWith("io.fabric8")) {
      return;
    }
    for (Method getter : node.getClass().getMethods()) {
      if (getter.getParameterCount() != 0
          || Modifier.isStatic(getter.getModifiers())
          || getter.getDeclaringClass() == Object.class
          || !getter.getName().startsWith("get")) {
        continue;
      }
      Object value = invoke(getter, node);
      if (getter.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          found.add(path + ": unknown field(s) " + extra.keySet());
        }
        continue;
      }
      String field =
          Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
      walk(value, path + "." + field, found);
    }
  }

  private static Object invoke(Method getter, Object target) {
    try {
      return getter.invoke(target);
    } catch (IllegalAccessException | InvocationTargetException e) {
      return null;
    }
  }
}
