"""`make bench`: run every benchmark in bench/, keep their JSON in bench/results/latest.json, and print one
table: each budgeted figure, its budget (from the issues) and whether it holds. Exit status 1 when a budget
fails or a benchmark does not finish.

A benchmark is a script in bench/ that runs as a program (it has a `__main__` block) and prints one JSON
object with a "budgets" object: {name: {"value": ..., "budget": "...", "holds": true|false}}.
"""

import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
# Cheapest first, so a broken environment shows quickly.
ORDER = ["eligibility", "eche", "pages", "directory", "load"]


def benchmarks() -> list[Path]:
    scripts = [
        path
        for path in BENCH.glob("*.py")
        if path.name != Path(__file__).name and 'if __name__ == "__main__":' in path.read_text()
    ]
    rank = {name: index for index, name in enumerate(ORDER)}
    return sorted(scripts, key=lambda path: (rank.get(path.stem, len(ORDER)), path.stem))


def last_json_object(text: str):
    """The benchmark's JSON: the last top-level object in its output (progress lines may come first)."""
    decoder = json.JSONDecoder()
    found = None
    for index, line in enumerate(text.splitlines(keepends=True)):
        if line.startswith("{"):
            offset = sum(len(earlier) for earlier in text.splitlines(keepends=True)[:index])
            try:
                found, _end = decoder.raw_decode(text[offset:])
            except ValueError:
                continue
    return found


def run(script: Path) -> dict:
    started = time.monotonic()
    print(f"… {script.name}", file=sys.stderr, flush=True)
    completed = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=BENCH.parent, env=os.environ
    )
    seconds = round(time.monotonic() - started, 1)
    result = last_json_object(completed.stdout)
    entry = {"exit_code": completed.returncode, "seconds": seconds, "result": result}
    if completed.returncode != 0 or result is None:
        entry["stderr_tail"] = completed.stderr[-3000:]
    return entry


def rows(name: str, entry: dict) -> list[tuple[str, str, str, str]]:
    result = entry["result"]
    if entry["exit_code"] != 0 or not isinstance(result, dict):
        return [(name, "(benchmark did not finish)", f"exit {entry['exit_code']}", "FAILED")]
    budgets = result.get("budgets") or {}
    if not budgets:
        return [(name, "(no budgets reported)", "", "FAILED")]
    table = []
    for figure, budget in budgets.items():
        if isinstance(budget, dict):
            value, limit, holds = budget.get("value"), budget.get("budget", ""), bool(budget.get("holds"))
        else:  # a bare true/false
            value, limit, holds = "", "", bool(budget)
        shown = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
        table.append((f"{name}: {figure}", shown, str(limit), "holds" if holds else "FAILS"))
    return table


def print_table(table: list[tuple[str, str, str, str]]) -> None:
    headers = ("figure", "value", "budget", "verdict")
    widths = [max(len(headers[i]), *(len(row[i]) for row in table)) for i in range(4)]
    line = "  ".join("{:<" + str(width) + "}" for width in widths)
    print(line.format(*headers))
    print(line.format(*("-" * width for width in widths)))
    for row in table:
        print(line.format(*row))


def print_load_latencies(entry: dict) -> None:
    result = entry.get("result") or {}
    actions = result.get("actions")
    if not actions:
        return
    idle = result["bare_view_p95_ms_before_the_load"]
    print()
    print(
        f"Mixed load: {result['requests']} requests in {result['seconds']} s "
        f"= {result['throughput_rps']} req/s "
        f"({result['clients']['coordinators']} coordinators, {result['clients']['partners']} partners); "
        "latency per action, ms, and p95 as a multiple of the bare view's p95 under the same load "
        f"(budgeted for the builder page, add and remove) and before it ({idle} ms):"
    )
    print(
        f"  {'action':<20} {'requests':>8} {'p50':>8} {'p95':>8} {'p99':>8} {'p95/bare':>9} {'p95/idle':>9}"
    )
    for action, figures in actions.items():
        print(
            f"  {action:<20} {figures['requests']:>8} {figures['p50_ms']:>8} {figures['p95_ms']:>8} "
            f"{figures['p99_ms']:>8} {figures['p95_vs_bare']:>9} {figures['p95_vs_idle_bare']:>9}"
        )


def print_floors(report: dict) -> None:
    """The unbudgeted floors: what any signed-in request costs before its own work, against the same bare view
    (bench/pages_urls.py). A budget below its floor cannot hold, whatever the page or search does."""
    lines = []
    pages = (report.get("pages") or {}).get("result") or {}
    for name, floor in (pages.get("floors") or {}).items():
        ratios = f"throughput {floor['throughput_ratio']} x bare, p95 {floor['p95_ratio']} x bare"
        lines.append(f"  pages: {name:<10} {ratios} ({floor['what']})")
    directory = (report.get("directory") or {}).get("result") or {}
    for size, figures in (directory.get("sizes") or {}).items():
        if "signed_in_floor_p95_vs_bare" in figures:
            lines.append(
                f"  directory ({size}): signed-in p95 {figures['signed_in_floor_p95_vs_bare']} x bare "
                f"(search p95 {round(figures['search_p95_ms'] / figures['bare_p95_ms'], 2)} x bare)"
            )
    if lines:
        print()
        print("Floors (not budgeted), as multiples of the same bare view:")
        print("\n".join(lines))


def main() -> int:
    only = set(sys.argv[1:])
    scripts = [script for script in benchmarks() if not only or script.stem in only]
    report = {
        "started": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "benchmarks": {},
    }
    for script in scripts:
        report["benchmarks"][script.stem] = run(script)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    table = [row for name, entry in report["benchmarks"].items() for row in rows(name, entry)]
    print()
    print_table(table)
    print_floors(report["benchmarks"])
    if "load" in report["benchmarks"]:
        print_load_latencies(report["benchmarks"]["load"])
    failed = [row for row in table if row[3] != "holds"]
    print()
    print(
        f"{len(table) - len(failed)} of {len(table)} budgets hold"
        + (f"; failing: {', '.join(row[0] for row in failed)}" if failed else ".")
        + f"  Full results: {(RESULTS / 'latest.json').relative_to(BENCH.parent)}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
