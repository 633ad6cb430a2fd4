package dev.claudetelemetry.policy.rules;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The published JSON schema ({@code policies/claude-policy.schema.json}), packaged into the jar.
 */
final class PolicySchema {

  static final String RESOURCE = "policies/claude-policy.schema.json";

  private final Schema schema;

  PolicySchema() {
    try (InputStream in = PolicySchema.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the classpath");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      schema =
          SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
              .getSchema(text, InputFormat.JSON);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Schema violations of a YAML policy, each as "location: message". */
  List<String> violations(String yaml) {
    List<Error> errors = schema.validate(yaml, InputFormat.YAML);
    return errors.stream().map(e -> "schema: " + e.toString()).distinct().toList();
  }
}
