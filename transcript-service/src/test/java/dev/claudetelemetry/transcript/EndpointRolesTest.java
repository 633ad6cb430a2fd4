package dev.claudetelemetry.transcript;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudetelemetry.transcript.auth.Roles;
import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every JAX-RS resource method of the service, found by reflection over the compiled classes, has
 * exactly the roles {@link Endpoint} lists: an endpoint added without roles, or with others than
 * reviewed, fails here.
 */
class EndpointRolesTest {

  @Test
  void shouldGiveEveryEndpointTheRolesItIsListedWith() throws Exception {
    Map<String, Set<String>> found = endpoints();
    Map<String, Set<String>> listed = new TreeMap<>();
    for (Endpoint endpoint : Endpoint.values()) {
      listed.put(endpoint.toString(), endpoint.roles);
    }

    assertThat(found).isEqualTo(listed);
  }

  @Test
  void shouldNeverLetAUserTokenReadOrAViewerCookieWrite() throws Exception {
    endpoints()
        .forEach(
            (endpoint, roles) -> {
              if (roles.contains(Roles.USER)) {
                assertThat(roles).as(endpoint).doesNotContain(Roles.READER, Roles.VIEWER);
              }
              if (roles.contains(Roles.VIEWER)) {
                assertThat(endpoint).startsWith("GET /sessions");
              }
            });
  }

  /** "METHOD /path" → the roles of every resource method in the service's classes. */
  static Map<String, Set<String>> endpoints() throws IOException, URISyntaxException {
    java.nio.file.Path classes =
        java.nio.file.Path.of(
            Roles.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Map<String, Set<String>> endpoints = new TreeMap<>();
    try (Stream<java.nio.file.Path> files = Files.walk(classes)) {
      for (java.nio.file.Path file :
          files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
        String name =
            classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
        Class<?> type;
        try {
          type = Class.forName(name, false, EndpointRolesTest.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
          continue;
        }
        addEndpoints(type, endpoints);
      }
    }
    return endpoints;
  }

  private static void addEndpoints(Class<?> type, Map<String, Set<String>> endpoints) {
    Path classPath = type.getAnnotation(Path.class);
    for (Method method : type.getDeclaredMethods()) {
      String httpMethod = httpMethod(method);
      if (httpMethod == null || Modifier.isStatic(method.getModifiers())) {
        continue;
      }
      assertThat(classPath).as("%s has %s but its class no @Path", method, httpMethod).isNotNull();
      Path methodPath = method.getAnnotation(Path.class);
      String path =
          ("/" + classPath.value() + "/" + (methodPath == null ? "" : methodPath.value()))
              .replaceAll("/{2,}", "/")
              .replaceAll("(.)/$", "$1");
      String key = httpMethod + " " + path;
      assertThat(endpoints).as("two methods answer %s", key).doesNotContainKey(key);
      endpoints.put(key, roles(type, method));
    }
  }

  private static String httpMethod(Method method) {
    for (Annotation annotation : method.getAnnotations()) {
      HttpMethod http = annotation.annotationType().getAnnotation(HttpMethod.class);
      if (http != null) {
        return http.value();
      }
    }
    return null;
  }

  /** As Quarkus applies them: the method's annotation, else the class's. */
  private static Set<String> roles(Class<?> type, Method method) {
    assertThat(
            method.isAnnotationPresent(PermitAll.class)
                || type.isAnnotationPresent(PermitAll.class))
        .as("%s is open to anybody", method)
        .isFalse();
    if (method.isAnnotationPresent(DenyAll.class)) {
      return Set.of();
    }
    RolesAllowed roles = method.getAnnotation(RolesAllowed.class);
    if (roles == null) {
      roles = type.getAnnotation(RolesAllowed.class);
    }
    return roles == null ? Set.of() : Arrays.stream(roles.value()).collect(Collectors.toSet());
  }
}
