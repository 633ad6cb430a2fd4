package dev.claudetelemetry.policy;

import dev.claudetelemetry.policy.paths.PathNormalizer;
import dev.claudetelemetry.policy.rules.PolicyEvaluator;
import dev.claudetelemetry.policy.rules.PolicyLoader;
import dev.claudetelemetry.policy.shell.BashAnalyzer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** The engine is plain Java (the CLI uses it without CDI); this wires it into the service. */
@ApplicationScoped
public class PolicyEngineProducers {

  @Produces
  @ApplicationScoped
  PolicyEvaluator evaluator(PolicyServiceConfig config) {
    return new PolicyEvaluator(
        new BashAnalyzer(config.shell().maxDepth(), config.shell().maxCommandBytes()),
        new PathNormalizer(config.followSymlinks()));
  }

  @Produces
  @ApplicationScoped
  PolicyLoader loader(PolicyEvaluator evaluator) {
    return new PolicyLoader(evaluator);
  }
}
