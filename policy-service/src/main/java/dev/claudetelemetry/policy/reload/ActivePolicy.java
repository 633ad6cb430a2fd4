package dev.claudetelemetry.policy.reload;

import dev.claudetelemetry.policy.rules.Policy;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The policy in force. Policies are immutable and swapped as a whole, so a request that read one
 * keeps judging with it while a reload installs the next: no request ever sees half a policy.
 */
public class ActivePolicy {

  private final AtomicReference<Policy> policy = new AtomicReference<>();
  private volatile ReloadStatus status;

  public Policy get() {
    Policy current = policy.get();
    if (current == null) {
      throw new IllegalStateException("no policy has been loaded yet");
    }
    return current;
  }

  public boolean present() {
    return policy.get() != null;
  }

  void set(Policy next) {
    policy.set(next);
  }

  public ReloadStatus status() {
    return status;
  }

  void status(ReloadStatus next) {
    status = next;
  }
}
