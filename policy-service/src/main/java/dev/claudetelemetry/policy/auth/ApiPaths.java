package dev.claudetelemetry.policy.auth;

/** The API is everything under {@code /v1}; metrics and health are on the management port. */
public final class ApiPaths {
  private ApiPaths() {}

  public static boolean isApi(String path) {
    return path.equals("/v1") || path.startsWith("/v1/");
  }
}
