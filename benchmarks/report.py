"""The bars of DESIGN.md, the readable table, and the section of RESULTS.md for one run."""

import json
import re
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
PAGE_BAR_MS = 100
SLICE_BAR_MS = 100
RATIO_BAR = 2.0
# DESIGN.md (issue 12): the nightly roll-up within 1.3× the FILTER form of the bare SQL, a first
# roll-up (every row written) within 3× it, a slice under 20 ms.
FILTER_RATIO_BAR = 1.3
FIRST_RATIO_BAR = 3.0
SLICE_BAR_20_MS = 20


def _within(value, bar, below=False):
    if value is None:
        return None
    return value < bar if below else value <= bar


def bars(result: dict) -> dict:
    """Each DESIGN.md bar: met (True), missed (False) or not measured (None)."""
    slice_ms = (result.get("rollup_slice_ms") or {}).get("median")
    out = {
        "rollup_full_within_2x_raw": _within(result.get("rollup_to_raw_ratio"), RATIO_BAR),
        "rollup_full_within_1.3x_filter": _within(result.get("rollup_to_filter_ratio"), FILTER_RATIO_BAR),
        "rollup_first_within_3x_filter": _within(result.get("first_to_filter_ratio"), FIRST_RATIO_BAR),
        "rollup_slice_under_100ms": _within(slice_ms, SLICE_BAR_MS, below=True),
        "rollup_slice_under_20ms": _within(slice_ms, SLICE_BAR_20_MS, below=True),
    }
    for name, page in (result.get("pages") or {}).items():
        if page.get("status") == 200:
            out[f"{name}_p95_under_100ms"] = page["p95_ms"] < PAGE_BAR_MS
        else:
            out[f"{name}_p95_under_100ms"] = None
    for name, page in (result.get("daily_pages") or {}).items():
        out[f"daily {name} p95 under 100ms"] = page["p95_ms"] < PAGE_BAR_MS if page.get("status") == 200 else None
    return out


def daily_table(result: dict) -> str:
    """Every daily page per role: server time through the test client and the queries of one request."""
    pages = result.get("daily_pages") or {}
    if not pages:
        return ""
    b = result.get("bars", {})
    lines = [
        "| role: page | p50 ms | p95 ms | max ms | CPU ms (p50) | queries | HTTP | path | p95 < 100 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, page in pages.items():
        lines.append(
            f"| {name} | {page['p50_ms']} | {page['p95_ms']} | {page['max_ms']} | {page.get('cpu_ms', '–')} | "
            f"{page['queries']} | {page['status']} | `{page['path']}` | "
            f"{_mark(b.get(f'daily {name} p95 under 100ms'))} |"
        )
    sign_in = result.get("sign_in")
    if sign_in:
        lines.append(
            f"| sign-in (apart: {sign_in['hasher']}, no bar) | {sign_in['p50_ms']} | {sign_in['p95_ms']} | "
            f"{sign_in['max_ms']} | – | – | {sign_in['status']} | `{sign_in['path']}` | – |"
        )
    return "\n".join(lines)


def _fig(value: dict | None, unit: str) -> str:
    if not value:
        return "not measured"
    if "error" in value:
        return value["error"]
    return f"{value['median']:,} {unit} (min {value['min']:,}, max {value['max']:,}, {value['runs']} runs)"


def _mark(ok) -> str:
    return {True: "met", False: "MISSED", None: "not measured"}[ok]


def table(result: dict) -> str:
    """A readable Markdown table of every figure against its bar."""
    b = result.get("bars", {})
    lines = ["| figure | value | bar | |", "|---|---|---|---|"]
    full, raw = result.get("rollup_full_s"), result.get("raw_groupby_s")
    lines.append(
        f"| rollup_full_s (nightly: KPI, template, moderation, feedback, theme snapshots) | {_fig(full, 's')} | | |"
    )
    lines.append(f"| raw_groupby_s (bare SQL, one row per grade) | {_fig(raw, 's')} | | |")
    lines.append(
        f"| raw_filter_s (bare SQL, one row per region/team/month, FILTER per grade) "
        f"| {_fig(result.get('raw_filter_s'), 's')} | | |"
    )
    criteria = result.get("rollup_criteria_s")
    if criteria:
        lines.append(
            f"| rollup_criteria_s (weekly: every detail snapshot, 13 judgements per audit; no bar) "
            f"| {_fig(criteria, 's')} | | |"
        )
    sources = result.get("raw_all_sources_s")
    if sources:
        lines.append(
            f"| raw_all_sources_s (every GROUP BY the roll-up needs, bare SQL; no bar) | {_fig(sources, 's')} | | |"
        )
    ratio = result.get("rollup_to_raw_ratio")
    lines.append(
        f"| rollup / GROUP BY form (medians) | {ratio if ratio is not None else 'not measured'} | ≤ {RATIO_BAR} | "
        f"{_mark(b.get('rollup_full_within_2x_raw'))} |"
    )
    ratio = result.get("rollup_to_filter_ratio")
    lines.append(
        f"| rollup / FILTER form (medians) | {ratio if ratio is not None else 'not measured'} | ≤ {FILTER_RATIO_BAR} | "
        f"{_mark(b.get('rollup_full_within_1.3x_filter'))} |"
    )
    first = result.get("rollup_first_s")
    if first:
        lines.append(
            f"| rollup_first_s (nightly on emptied tables: every row written) | {_fig(first, 's')}, "
            f"FILTER form beside it {_fig(result.get('raw_filter_beside_first_s'), 's')} | | |"
        )
    ratio = result.get("first_to_filter_ratio")
    lines.append(
        f"| first rollup / FILTER form (medians) | {ratio if ratio is not None else 'not measured'} "
        f"| ≤ {FIRST_RATIO_BAR} | {_mark(b.get('rollup_first_within_3x_filter'))} |"
    )
    sl = result.get("rollup_slice_ms")
    where = f" — {sl['region']} {sl['month']}, {sl['audits_in_slice']:,} audits" if sl else ""
    lines.append(
        f"| rollup_slice_ms (KPI group, as a completed audit's task) | {_fig(sl, 'ms')}{where} "
        f"| < {SLICE_BAR_20_MS} ms | {_mark(b.get('rollup_slice_under_20ms'))} |"
    )
    details = result.get("rollup_slice_details_ms")
    if details:
        lines.append(
            f"| rollup_slice_details_ms (its details, a task of their own; no bar) | {_fig(details, 'ms')} | | |"
        )
    for name, page in (result.get("pages") or {}).items():
        value = (
            f"p50 {page['p50_ms']} ms, p95 {page['p95_ms']} ms (min {page['min_ms']}, max {page['max_ms']}, "
            f"{page['runs']} runs), {page['queries']} queries, HTTP {page['status']} — `{page['path']}`"
        )
        lines.append(f"| {name} | {value} | p95 < {PAGE_BAR_MS} ms | {_mark(b.get(f'{name}_p95_under_100ms'))} |")
    for key in ("import_audits_rows_per_s", "import_audits_dry_run_rows_per_s"):
        value = result.get(key)
        if value is not None:
            mode = f" — {value['mode']}" if "mode" in value else ""
            lines.append(f"| {key} | {_fig(value, 'rows/s')}{mode} | | |")
    return "\n".join(lines)


def section(result: dict) -> str:
    m = result["machine"]
    counts = result.get("rows", {})
    seed = result.get("seed_seconds")
    seeded = f"seeded in {seed} s" if seed is not None else "reused the data already seeded"
    return "\n".join(
        [
            f"### {result['audits']:,} audits (seed {result['seed']}) — measured {result['measured_at']}",
            "",
            f"Machine: {m['nproc']} cores, {m['memory_gib']} GiB, PostgreSQL {m['postgresql']} "
            f"({', '.join(f'{k}={v}' for k, v in m['postgresql_settings'].items())}), Python {m['python']}, "
            f"{m['platform']}; load average {m['load_average']} at the start and {result['load_average_end']} "
            "at the end (the machine is shared with other engineers running tests).",
            "",
            f"Data ({seeded}): " + ", ".join(f"{k} {v:,}" for k, v in counts.items()) + ".",
            "",
            table(result),
            "",
            "Every daily page, per role (the dashboards and API as served, and uncached: the cache emptied "
            "before each request, as right after a roll-up):",
            "",
            daily_table(result),
            "",
            "<details><summary>JSON</summary>",
            "",
            "```json",
            json.dumps(result, indent=2, default=str),
            "```",
            "",
            "</details>",
        ]
    )


def record(result: dict, path: Path = RESULTS) -> None:
    """Replace (or add) this N's section between its markers; everything else in the file stays."""
    start = f"<!-- bench audits={result['audits']} -->"
    end = f"<!-- /bench audits={result['audits']} -->"
    block = f"{start}\n{section(result)}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    elif "<!-- bench:end -->" in text:
        text = text.replace("<!-- bench:end -->", f"{block}\n\n<!-- bench:end -->")
    else:
        text = text.rstrip() + f"\n\n{block}\n"
    path.write_text(text, encoding="utf-8")
