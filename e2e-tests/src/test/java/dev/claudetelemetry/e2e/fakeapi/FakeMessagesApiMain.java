package dev.claudetelemetry.e2e.fakeapi;

import java.util.ArrayList;
import java.util.List;

/**
 * The fake Messages API as a process, for benchmarks outside JUnit (bench/guard): {@code java -cp
 * <e2e-tests test classpath> dev.claudetelemetry.e2e.fakeapi.FakeMessagesApiMain <port> <calls>}
 * serves scenario {@code bench}: {@code calls} Bash tool calls ({@code true}), one per turn, then a
 * final text. Port 0 picks a free one; the first line printed is {@code listening <base url>}.
 */
public final class FakeMessagesApiMain {
  private FakeMessagesApiMain() {}

  public static void main(String[] args) throws InterruptedException {
    int port = Integer.parseInt(args[0]);
    int calls = Integer.parseInt(args[1]);
    FakeMessagesApi api = FakeMessagesApi.start("127.0.0.1", port);
    List<Turn> turns = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      turns.add(Turn.bash("true"));
    }
    turns.add(Turn.finalText("bench done"));
    api.script("bench", turns);
    System.out.println("listening " + api.baseUrl());
    System.out.flush();
    Thread.currentThread().join();
  }
}
