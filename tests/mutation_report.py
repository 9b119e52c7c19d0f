"""Mutation scores per module, from `mutmut results --all true` (run by `make mutation`).

A mutant is detected when a test fails (killed) or the tests time out; it survives
when every test still passes, or when no test runs its code at all. The score of a
module is detected / (detected + survived); the target is 85% for each module.
"""

import subprocess
import sys
from collections import Counter, defaultdict

DETECTED = {"killed", "timeout"}
SURVIVED = {"survived", "no tests"}
TARGET = 0.85


def scores(lines: list[str]) -> dict[str, Counter]:
    by_module: dict[str, Counter] = defaultdict(Counter)
    for line in lines:
        name, _, status = line.strip().rpartition(": ")
        if not name:
            continue
        module = name.split(".x_")[0].split(".xǁ")[0]
        by_module[module][status] += 1
    return by_module


def main() -> int:
    output = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    failing = 0
    out = sys.stdout
    out.write(f"{'module':40} {'mutants':>8} {'killed':>7} {'survived':>9} {'score':>7}\n")
    for module, counts in sorted(scores(output).items()):
        detected = sum(counts[status] for status in DETECTED)
        survived = sum(counts[status] for status in SURVIVED)
        judged = detected + survived
        score = detected / judged if judged else 0.0
        failing += score < TARGET
        out.write(
            f"{module:40} {sum(counts.values()):>8} {detected:>7} {survived:>9} {score:>7.1%}\n"
        )
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
