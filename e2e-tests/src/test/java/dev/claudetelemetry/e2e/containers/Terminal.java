package dev.claudetelemetry.e2e.containers;

import java.time.Duration;
import java.util.List;

/**
 * A user's terminal: a tmux server of its own (its own socket name) running one command in a 150x45
 * window; keys go in, the screen is read back as text with wrapped lines joined.
 */
final class Terminal implements AutoCloseable {
  private static final Duration TMUX = Duration.ofSeconds(30);
  private final String socket;

  Terminal(String socket) {
    this.socket = socket;
  }

  void start(String command) {
    tmux("new-session", "-d", "-s", "user", "-x", "150", "-y", "45", command);
  }

  /** Literal text, as typed. */
  void type(String text) {
    tmux("send-keys", "-t", "user", "-l", text);
  }

  /** A named key (Enter, Up, Down, Escape, C-c). */
  void keys(String key) {
    tmux("send-keys", "-t", "user", key);
    pause();
  }

  String screen() {
    return tmux("capture-pane", "-p", "-J", "-t", "user");
  }

  /** Waits until {@code text} is on the screen; returns the screen. */
  String await(String text) {
    String[] last = {""};
    DockerKubelet.await(
        () -> {
          last[0] = screen();
          return last[0].contains(text);
        },
        Duration.ofSeconds(90),
        () -> "the terminal never showed \"" + text + "\":\n" + last[0]);
    return last[0];
  }

  /** Waits until the command in the window ended (the session is gone). */
  void awaitExit() {
    DockerKubelet.await(
        () -> !Docker.run(List.of("tmux", "-L", socket, "has-session", "-t", "user"), TMUX).ok(),
        Duration.ofSeconds(60),
        () -> "the command never ended:\n" + screen());
  }

  private static void pause() {
    try {
      Thread.sleep(300);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String tmux(String... args) {
    List<String> command = new java.util.ArrayList<>(List.of("tmux", "-L", socket));
    command.addAll(List.of(args));
    return Docker.check(command, Docker.run(command, TMUX));
  }

  @Override
  public void close() {
    Docker.run(List.of("tmux", "-L", socket, "kill-server"), TMUX);
  }
}
