package dev.claudetelemetry.policy.paths;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The links a command line creates itself ({@code ln -s ~/.ssh k; cat k/id_rsa}), followed without
 * touching any file system: the service may not share the agent's, but it can read what the command
 * says. A path below a link leads below its target.
 */
public final class LexicalLinks {

  /** Links followed per path before giving up (loops end here). */
  private static final int MAX_HOPS = 8;

  private final Map<String, String> links = new LinkedHashMap<>();

  /**
   * @param link where the link is created (absolute, normalised)
   * @param target where it leads (absolute, normalised)
   */
  public void add(String link, String target) {
    if (!link.equals("/") && !link.equals(target)) {
      links.put(link, target);
    }
  }

  public boolean isEmpty() {
    return links.isEmpty();
  }

  /** Where {@code normalized} leads through the links, if through any. */
  public Optional<String> resolve(String normalized) {
    if (links.isEmpty()) {
      return Optional.empty();
    }
    String current = normalized;
    boolean moved = false;
    for (int hop = 0; hop < MAX_HOPS; hop++) {
      String next = null;
      for (Map.Entry<String, String> link : links.entrySet()) {
        if (PathNormalizer.isWithin(current, link.getKey())) {
          next =
              PathNormalizer.collapse(link.getValue() + current.substring(link.getKey().length()));
          break;
        }
      }
      if (next == null || next.equals(current)) {
        break;
      }
      current = next;
      moved = true;
    }
    return moved ? Optional.of(current) : Optional.empty();
  }
}
