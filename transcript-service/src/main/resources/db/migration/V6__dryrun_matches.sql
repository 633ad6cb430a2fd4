-- What policy rules in dry run (enforcement: dryrun) would have decided on a guarded call, stored with the
-- call's decision: [{"ruleId": "...", "verdict": "ask|deny", "reason": "..."}], NULL when none matched. Never
-- part of a denial: the call got the answer of the enforced rules alone.
ALTER TABLE hook_events ADD COLUMN dryrun jsonb;
