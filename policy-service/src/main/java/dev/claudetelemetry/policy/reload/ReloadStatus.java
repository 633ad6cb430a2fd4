package dev.claudetelemetry.policy.reload;

import java.time.Instant;

/**
 * The outcome of the last look at the policy file.
 *
 * @param result applied, refused, missing or default (no file configured)
 * @param detail why a policy was refused or what is missing; {@code null} when all is well
 * @param at when it happened
 */
public record ReloadStatus(String result, String detail, Instant at) {}
