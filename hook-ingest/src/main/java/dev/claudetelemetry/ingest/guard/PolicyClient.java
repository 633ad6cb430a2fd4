package dev.claudetelemetry.ingest.guard;

import dev.claudetelemetry.ingest.config.IngestConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /v1/decisions} on policy-service over Vert.x's non-blocking client: pools of
 * kept-alive connections, so a decision costs one loopback or in-cluster round trip and no
 * connection setup.
 *
 * <p>One client (one pool) per event loop. A single shared pool hands a request whatever connection
 * is free, usually one owned by another event loop, and every step of the exchange then hops
 * between the two threads: five wake-ups per decision in {@code perf sched} (bench/guard).
 *
 * <p>Vert.x's own futures and timer, without the Mutiny layer: each Mutiny step captures and
 * restores the request's context, several times per decision, and its timeout runs on a scheduler
 * thread that every decision would wake. The deadline here is a timer on the calling event loop.
 */
@Singleton
class PolicyClient {

  /** The key of the client shared by callers that are not on an event loop. */
  private static final Object OFF_EVENT_LOOP = new Object();

  private final Vertx vertx;
  private final HttpClientOptions clientOptions;
  private final Map<Object, HttpClient> clientPerEventLoop = new ConcurrentHashMap<>();
  private final Optional<String> decisionsUrl;
  private final Optional<String> authorization;
  private final Duration timeout;

  PolicyClient(Vertx vertx, IngestConfig config) {
    IngestConfig.Guard guard = config.guard();
    this.timeout = guard.timeout();
    this.decisionsUrl = guard.policyUrl().map(PolicyClient::decisionsUrl);
    this.authorization = guard.policyToken().map(token -> "Bearer " + token);
    int timeoutMillis = (int) Math.max(1, timeout.toMillis());
    this.vertx = vertx;
    this.clientOptions =
        new HttpClientOptions()
            .setKeepAlive(true)
            .setMaxPoolSize(guard.maxConnections())
            .setConnectTimeout(timeoutMillis)
            .setName("policy-service");
  }

  /**
   * The calling event loop's own client; callers off an event loop (none in production) share one.
   */
  private HttpClient client() {
    Object eventLoop = Context.isOnEventLoopThread() ? Thread.currentThread() : OFF_EVENT_LOOP;
    return clientPerEventLoop.computeIfAbsent(
        eventLoop, ignored -> vertx.createHttpClient(clientOptions));
  }

  boolean configured() {
    return decisionsUrl.isPresent();
  }

  /** The answer's body when policy-service answered 200 in time; otherwise a {@link Failed}. */
  CompletableFuture<byte[]> decide(byte[] hookInput) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setAbsoluteURI(decisionsUrl.orElseThrow())
            .putHeader("Content-Type", "application/json")
            .putHeader("Accept", "application/json")
            // Our own deadline below answers first; this only frees a connection whose answer never
            // came.
            .setIdleTimeout(timeout.toMillis() + 1000);
    authorization.ifPresent(value -> options.putHeader("Authorization", value));
    CompletableFuture<byte[]> answer = new CompletableFuture<>();
    long deadline =
        vertx.setTimer(
            Math.max(1, timeout.toMillis()),
            ignored ->
                answer.completeExceptionally(
                    new Failed(
                        GuardFailure.TIMEOUT,
                        "policy-service did not answer within " + timeout.toMillis() + " ms")));
    client()
        .request(options)
        .compose(request -> request.send(Buffer.buffer(hookInput)))
        .compose(
            response -> {
              if (response.statusCode() != 200) {
                // Drain so the connection goes back to the pool.
                Failed failed =
                    new Failed(
                        GuardFailure.BAD_STATUS,
                        "policy-service answered HTTP " + response.statusCode());
                return response.body().transform(ignored -> Future.<Buffer>failedFuture(failed));
              }
              return response.body();
            })
        .onComplete(
            result -> {
              vertx.cancelTimer(deadline);
              if (result.succeeded()) {
                answer.complete(result.result().getBytes());
              } else if (result.cause() instanceof Failed failed) {
                answer.completeExceptionally(failed);
              } else {
                answer.completeExceptionally(
                    new Failed(
                        GuardFailure.UNREACHABLE,
                        "policy-service could not be reached: " + result.cause().getMessage()));
              }
            });
    return answer;
  }

  @PreDestroy
  void close() {
    for (HttpClient client : clientPerEventLoop.values()) {
      try {
        client.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        // shutting down: a client that does not close in time is dropped with the process
      }
    }
  }

  private static String decisionsUrl(URI base) {
    String text = base.toString();
    return (text.endsWith("/") ? text.substring(0, text.length() - 1) : text) + "/v1/decisions";
  }

  /** policy-service gave no usable answer. */
  static final class Failed extends RuntimeException {
    private final GuardFailure failure;

    Failed(GuardFailure failure, String message) {
      super(message, null, false, false);
      this.failure = failure;
    }

    GuardFailure failure() {
      return failure;
    }
  }
}
