package dev.claudetelemetry.transcript;

import static dev.claudetelemetry.transcript.auth.Roles.READER;
import static dev.claudetelemetry.transcript.auth.Roles.SERVICE;
import static dev.claudetelemetry.transcript.auth.Roles.USER;
import static dev.claudetelemetry.transcript.auth.Roles.VIEWER;

import java.util.Set;

/**
 * Every endpoint of the service and the roles it admits: what {@link EndpointRolesTest} holds the
 * resources to (a new endpoint fails it until it is listed here) and {@link EndpointAccessTest}
 * calls with every kind of credential.
 */
enum Endpoint {
  UPLOAD_STATUS("GET", "/v1/transcripts/{sessionId}/files/{fileId}", SERVICE, USER),
  UPLOAD("POST", "/v1/transcripts/{sessionId}/files/{fileId}", SERVICE, USER),
  EVENTS("POST", "/v1/events", SERVICE),
  LOGS("POST", "/v1/logs", SERVICE),
  SESSIONS("GET", "/v1/sessions", READER),
  SESSION("GET", "/v1/sessions/{id}", READER),
  SESSION_TRANSCRIPT("GET", "/v1/sessions/{id}/transcript", READER),
  SEARCH("GET", "/v1/search", READER),
  TOOL_CALLS("GET", "/v1/tool-calls", READER),
  VIEWER_LIST("GET", "/sessions", READER, VIEWER),
  VIEWER_SESSION("GET", "/sessions/{id}", READER, VIEWER),
  VIEWER_TRANSCRIPT("GET", "/sessions/{id}/transcript", READER, VIEWER);

  final String method;
  final String path;
  final Set<String> roles;

  Endpoint(String method, String path, String... roles) {
    this.method = method;
    this.path = path;
    this.roles = Set.of(roles);
  }

  @Override
  public String toString() {
    return method + " " + path;
  }
}
