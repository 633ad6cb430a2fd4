package dev.claudetelemetry.transcript;

import static dev.claudetelemetry.transcript.Fixtures.bytes;
import static dev.claudetelemetry.transcript.Fixtures.reader;
import static dev.claudetelemetry.transcript.Fixtures.sql;
import static dev.claudetelemetry.transcript.Fixtures.writer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class OtlpLogsTest {
  /** The session id in the recorded otel/otlp-logs.json. */
  private static final String RECORDED_SESSION = "71ba8419-0cae-4ecc-9786-a01f354c1149";

  @Test
  void shouldStoreRecordedClaudeCodeEventsAndSumTheirCostOnce() {
    String body = new String(bytes("otel/otlp-logs.json"), StandardCharsets.UTF_8);
    writer()
        .contentType("application/json")
        .body(body)
        .post("/v1/logs")
        .then()
        .statusCode(200)
        .contentType("application/json");
    writer().contentType("application/json").body(body).post("/v1/logs").then().statusCode(200);

    assertThat(
            sql("SELECT count(*) FROM otlp_events WHERE session_id = '" + RECORDED_SESSION + "'"))
        .isEqualTo("34");
    assertThat(
            sql(
                "SELECT count(*) FROM otlp_events WHERE session_id = '"
                    + RECORDED_SESSION
                    + "' AND event_name = 'api_request'"))
        .isEqualTo("6");
    // six api_request events of 0.00081 USD, 100 input and 20 output tokens each, counted once
    // despite the retry
    reader()
        .get("/v1/sessions/{id}", RECORDED_SESSION)
        .then()
        .statusCode(200)
        .body("session.costSource", equalTo("otlp"))
        .body("session.costUsd", equalTo(0.00486f))
        .body("session.inputTokens", equalTo(600))
        .body("session.outputTokens", equalTo(120))
        .body("session.cacheReadTokens", equalTo(300))
        .body("session.user", equalTo("alice@example.com"))
        .body("session.model", equalTo("claude-opus-5-5"));
  }

  @Test
  void shouldAcceptProtobufAndReportRecordsThatAreNotSessionEvents() throws Exception {
    String session = Fixtures.newSessionId();
    LogRecord apiRequest =
        LogRecord.newBuilder()
            .setTimeUnixNano(1_795_504_480_872_000_000L)
            .setBody(AnyValue.newBuilder().setStringValue("claude_code.api_request"))
            .addAttributes(attr("session.id", session))
            .addAttributes(attr("user.email", "bob@example.com"))
            .addAttributes(attr("model", "claude-opus-5-5"))
            .addAttributes(
                KeyValue.newBuilder()
                    .setKey("cost_usd")
                    .setValue(AnyValue.newBuilder().setDoubleValue(0.25)))
            .addAttributes(
                KeyValue.newBuilder()
                    .setKey("input_tokens")
                    .setValue(AnyValue.newBuilder().setIntValue(1000)))
            .addAttributes(
                attr("prompt", "deploy with sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789"))
            .build();
    LogRecord noSession =
        LogRecord.newBuilder()
            .setBody(AnyValue.newBuilder().setStringValue("something else"))
            .build();
    ExportLogsServiceRequest request =
        ExportLogsServiceRequest.newBuilder()
            .addResourceLogs(
                ResourceLogs.newBuilder()
                    .addScopeLogs(
                        ScopeLogs.newBuilder().addLogRecords(apiRequest).addLogRecords(noSession)))
            .build();

    byte[] answer =
        writer()
            .contentType("application/x-protobuf")
            .body(request.toByteArray())
            .post("/v1/logs")
            .then()
            .statusCode(200)
            .contentType("application/x-protobuf")
            .extract()
            .asByteArray();
    assertThat(
            ExportLogsServiceResponse.parseFrom(answer).getPartialSuccess().getRejectedLogRecords())
        .isEqualTo(1);

    assertThat(
            sql(
                "SELECT cost_usd || '|' || input_tokens || '|' || user_name FROM sessions WHERE id = '"
                    + session
                    + "'"))
        .isEqualTo("0.25000000|1000|bob@example.com");
    assertThat(
            sql(
                "SELECT attributes ->> 'prompt' FROM otlp_events WHERE session_id = '"
                    + session
                    + "'"))
        .isEqualTo("deploy with [REDACTED:anthropic-api-key]");
    String json = JsonFormat.printer().print(request);
    assertThat(json).contains("api_request");
  }

  @Test
  void shouldAcceptGzipBodiesAsTheCollectorSendsThem() throws Exception {
    String session = Fixtures.newSessionId();
    String body =
        new String(bytes("otel/otlp-logs.json"), StandardCharsets.UTF_8)
            .replace(RECORDED_SESSION, session);
    java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(zipped)) {
      gzip.write(body.getBytes(StandardCharsets.UTF_8));
    }
    writer()
        .contentType("application/json")
        .header("Content-Encoding", "gzip")
        .body(zipped.toByteArray())
        .post("/v1/logs")
        .then()
        .statusCode(200);
    assertThat(sql("SELECT count(*) FROM otlp_events WHERE session_id = '" + session + "'"))
        .isEqualTo("34");
  }

  @Test
  void shouldRefuseBodiesThatAreNotOtlp() {
    writer()
        .contentType("application/x-protobuf")
        .body(new byte[] {(byte) 0xff, 0x01, 0x02})
        .post("/v1/logs")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("detail", containsString("protobuf"));
    writer()
        .contentType("application/json")
        .body("{\"resourceLogs\": 7}")
        .post("/v1/logs")
        .then()
        .statusCode(400)
        .body("detail", containsString("JSON"));
    writer().contentType("text/plain").body("hello").post("/v1/logs").then().statusCode(415);
  }

  private static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }
}
