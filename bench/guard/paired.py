"""Paired comparison of bench/guard's CLI sessions (run.sh, section 2).

stdin: one line per session: round, wiring, wall ms, Claude Code CPU ms (claude and the hook processes it waited
for), CPU ms of policy-service, hook-ingest, transcript-service and PostgreSQL, transcript bytes, and the ms of
the three services' CPU their JIT compilers took (a service still compiling is slower than a long-running pod's).
argv[1]: tool calls per session. Every wiring is compared with `true` (and `true` with `none`) within the same
round, so that what drifts between rounds (other work on the machine, the JVMs' state) cancels out; the tables give,
per tool call, the mean of those differences with its 95% confidence interval and their median.
"""
import statistics
import sys

# Two-sided 95% quantiles of Student's t by degrees of freedom 1..30 (1.96 beyond).
T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
       2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
SERVICES = ["policy-service", "hook-ingest", "transcript-service", "PostgreSQL"]


def interval(diffs):
    """Mean, half-width of its 95% confidence interval, median."""
    mean = statistics.fmean(diffs)
    if len(diffs) < 2:
        return mean, float("nan"), statistics.median(diffs)
    t = T95[len(diffs) - 2] if len(diffs) - 2 < len(T95) else 1.96
    return mean, t * statistics.stdev(diffs) / len(diffs) ** 0.5, statistics.median(diffs)


def measures(values):
    """wall, Claude Code CPU, services CPU (all four), then each service."""
    return [values[0], values[1], sum(values[2:6])] + values[2:6]


def main():
    calls = int(sys.argv[1])
    sessions = {}
    for line in sys.stdin:
        fields = line.split()
        if len(fields) == 10:
            sessions.setdefault(fields[1], {})[fields[0]] = measures([float(v) for v in fields[2:8]]) + [
                float(fields[8]), float(fields[9])]
    wirings = sorted(sessions, key=lambda w: {"none": 0, "true": 1, "true_apart": 3}.get(w, 4 if w.endswith("_apart") else 2))

    def paired(wiring):
        # A wiring run with the services at the lowest CPU priority (W_apart) is compared with true_apart.
        reference = "none" if wiring in ("true", "true_apart") else "true_apart" if wiring.endswith("_apart") else "true"
        if wiring == "none" or reference not in sessions:
            return None, []
        rounds = sorted(set(sessions[wiring]) & set(sessions[reference]), key=int)
        return reference, [[(sessions[wiring][r][m] - sessions[reference][r][m]) / calls for r in rounds]
                           for m in (0, 1, 2, 3, 4, 5, 6, 8)]

    print("| wiring | over | rounds | wall / call | Claude Code CPU / call | services CPU / call "
          "| session medians: wall, Claude Code CPU, services CPU, transcript |")
    print("|---|---|---|---|---|---|---|")
    for wiring in wirings:
        reference, diffs = paired(wiring)
        cells = [f"{m:+.1f} ± {h:.1f} ms (median {md:+.1f})" for m, h, md in map(interval, diffs[:3])] or ["", "", ""]
        med = [statistics.median(v[m] for v in sessions[wiring].values()) for m in (0, 1, 2, 7)]
        print(f"| {wiring} | {reference or ''} | {len(sessions[wiring])} | {' | '.join(cells)} "
              f"| {med[0]:.0f} ms, {med[1]:.0f} ms, {med[2]:.0f} ms, {med[3] / 1024:.0f} KiB |")
    print()
    print("Services CPU per tool call, by service (mean of the paired differences):")
    print()
    print("| wiring | over | " + " | ".join(SERVICES) + " | of the services' CPU: JIT compilers |")
    print("|---|---|" + "---|" * (len(SERVICES) + 1))
    for wiring in wirings:
        reference, diffs = paired(wiring)
        if reference:
            print(f"| {wiring} | {reference} | " + " | ".join(f"{statistics.fmean(d):+.1f} ms" for d in diffs[3:8]) + " |")
    print()
    for wiring in wirings:
        walls = " ".join(f"{sessions[wiring][r][0]:.0f}" for r in sorted(sessions[wiring], key=int))
        print(f"{wiring}, wall by round (ms): {walls}")


if __name__ == "__main__":
    main()
