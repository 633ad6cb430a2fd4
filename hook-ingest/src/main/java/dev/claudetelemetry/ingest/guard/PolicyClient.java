package dev.claudetelemetry.ingest.guard;

import dev.claudetelemetry.ingest.config.IngestConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.http.HttpClient;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code POST /v1/decisions} on policy-service over Vert.x's non-blocking client: pools of
 * kept-alive connections, so a decision costs one loopback or in-cluster round trip and no
 * connection setup.
 *
 * <p>One client (one pool) per event loop. A single shared pool hands a request whatever connection
 * is free, usually one owned by another event loop, and every step of the exchange then hops
 * between the two threads: five wake-ups per decision in {@code perf sched} (bench/guard).
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
  Uni<byte[]> decide(byte[] hookInput) {
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
    return client()
        .request(options)
        .onItem()
        .transformToUni(request -> request.send(Buffer.buffer(hookInput)))
        .onItem()
        .transformToUni(
            response -> {
              if (response.statusCode() != 200) {
                // Drain so the connection goes back to the pool.
                Failed failed =
                    new Failed(
                        GuardFailure.BAD_STATUS,
                        "policy-service answered HTTP " + response.statusCode());
                return response
                    .body()
                    .onItem()
                    .transformToUni(ignored -> Uni.createFrom().<byte[]>failure(failed));
              }
              return response.body().map(Buffer::getBytes);
            })
        .ifNoItem()
        .after(timeout)
        .failWith(
            () ->
                new Failed(
                    GuardFailure.TIMEOUT,
                    "policy-service did not answer within " + timeout.toMillis() + " ms"))
        .onFailure(failure -> !(failure instanceof Failed))
        .transform(
            failure ->
                new Failed(
                    GuardFailure.UNREACHABLE,
                    "policy-service could not be reached: " + failure.getMessage()));
  }

  @PreDestroy
  void close() {
    clientPerEventLoop.values().forEach(HttpClient::closeAndAwait);
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
