package dev.claudetelemetry.policy.decisions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudetelemetry.policy.PolicyServiceConfig;
import dev.claudetelemetry.servicesupport.problem.ProblemException;
import dev.claudetelemetry.servicesupport.problem.ProblemType;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code POST /v1/decisions} and {@code POST /v1/decisions:batch} (docs/contracts.md). */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public class DecisionResource {

  /** Bodies up to this size are decided without leaving the event loop. */
  static final int EVENT_LOOP_MAX_BODY_BYTES = 64 * 1024;

  private final DecisionService decisions;
  private final HookInputReader reader;
  private final int maxBatchSize;
  private final int maxBodyBytes;

  public DecisionResource(DecisionService decisions, PolicyServiceConfig config) {
    this.decisions = decisions;
    this.reader = new HookInputReader(config.limits().maxJsonDepth());
    this.maxBatchSize = config.limits().maxBatchSize();
    this.maxBodyBytes = config.limits().maxBodyBytes();
  }

  /** The filter refuses large declared lengths; this catches chunked bodies that had none. */
  private JsonNode read(byte[] body) {
    if (body != null && body.length > maxBodyBytes) {
      throw new ProblemException(
          ProblemType.BODY_TOO_LARGE,
          "the body is " + body.length + " bytes; the limit is " + maxBodyBytes);
    }
    return reader.readTree(body);
  }

  /**
   * One hook input in, Claude Code's hook output out: 200 for every well-formed input, deny
   * included.
   *
   * <p>A usual input is decided on the event loop that read it: the decision is tens of
   * microseconds of CPU, while handing it to a worker thread and the answer back took several
   * thread wake-ups per decision ({@code perf sched} under bench/guard). Large inputs, whose parse
   * could hold the event loop for milliseconds, still go to a worker.
   */
  @POST
  @Path("/decisions")
  public Uni<DecisionResponse> decide(byte[] body) {
    Uni<DecisionResponse> decision =
        Uni.createFrom().item(() -> decisions.decide(reader.toolCall(read(body))));
    return body == null || body.length <= EVENT_LOOP_MAX_BODY_BYTES
        ? decision
        : decision.runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
  }

  public record BatchResponse(List<DecisionResponse> results) {}

  /** Which input of a batch is not a hook input, and why: the problem's {@code errors}. */
  public record BatchError(int index, String reason) {}

  /** Many inputs, answered in order; one bad input refuses the whole batch with its index. */
  @POST
  @Path("/decisions:batch")
  public BatchResponse decideAll(byte[] body) {
    JsonNode root = read(body);
    JsonNode inputs = root.get("inputs");
    if (!root.isObject() || inputs == null || !inputs.isArray()) {
      throw HookInputReader.badInput("a batch is {\"inputs\": [hook inputs...]}");
    }
    if (inputs.size() > maxBatchSize) {
      throw new ProblemException(
          ProblemType.BATCH_TOO_LARGE,
          "the batch has " + inputs.size() + " inputs; the limit is " + maxBatchSize);
    }
    List<dev.claudetelemetry.policy.rules.ToolCall> calls = new ArrayList<>(inputs.size());
    List<BatchError> errors = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      try {
        calls.add(reader.toolCall(inputs.get(i)));
      } catch (ProblemException e) {
        errors.add(new BatchError(i, e.getMessage()));
      }
    }
    if (!errors.isEmpty()) {
      throw new ProblemException(
          ProblemType.INVALID_HOOK_INPUT,
          errors.size() + " of " + inputs.size() + " inputs are invalid; nothing was decided",
          Map.of("errors", errors));
    }
    return new BatchResponse(calls.stream().map(decisions::decide).toList());
  }
}
