"""Known vulnerabilities in the dependencies: pip-audit (the virtualenv) and `npm audit --omit=dev`.

Fails (exit 1) when either reports a known vulnerability. When an advisory service cannot be
reached, says so plainly and skips that half rather than failing: some machines reach the
package registries but not their advisory services (PyPI's JSON API, npm's bulk advisory
endpoint). A run in which pip-audit could audit no dependency at all counts as unreachable,
never as "no known vulnerabilities".
"""

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIP_AUDIT = Path(sys.executable).parent / "pip-audit"


@dataclass
class Verdict:
    ok: bool
    lines: list[str]


def pip_audit_verdict(stdout: str, stderr: str, returncode: int) -> Verdict:
    """Read `pip-audit --format json`."""
    try:
        report = json.loads(stdout)
    except ValueError:
        last = (stderr.strip().splitlines() or ["no output"])[-1]
        return Verdict(True, [f"pip-audit: SKIPPED, the advisory service could not be reached ({last[:200]})"])
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    audited = [d for d in dependencies if "skip_reason" not in d]
    skipped = [d for d in dependencies if "skip_reason" in d]
    if vulnerable:
        lines = ["pip-audit: known vulnerabilities:"]
        for dep in vulnerable:
            for vuln in dep["vulns"]:
                fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
                lines.append(f"  {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixed})")
        return Verdict(False, lines)
    if not audited:
        return Verdict(
            True,
            [
                f"pip-audit: SKIPPED, the advisory service could not be reached: none of the {len(skipped)} "
                "dependencies could be looked up (PyPI's JSON API did not answer for them)"
            ],
        )
    lines = [f"pip-audit: {len(audited)} dependencies audited, no known vulnerability"]
    if skipped:
        lines.append(f"pip-audit: not audited: {', '.join(sorted(d['name'] for d in skipped))}")
    return Verdict(True, lines)


def npm_audit_verdict(stdout: str, stderr: str, returncode: int) -> Verdict:
    """Read `npm audit --omit=dev --json` (exit 1 both for vulnerabilities and for errors)."""
    try:
        report = json.loads(stdout)
    except ValueError:
        last = (stderr.strip().splitlines() or ["no output"])[-1]
        return Verdict(True, [f"npm audit: SKIPPED, the advisory service could not be reached ({last[:200]})"])
    if "error" in report:
        error = report["error"] or {}
        summary = error.get("summary") or report.get("message") or error.get("code") or "an error"
        return Verdict(True, [f"npm audit: SKIPPED, the advisory service could not be reached ({summary})"])
    vulnerabilities = report.get("vulnerabilities") or {}
    if vulnerabilities:
        lines = ["npm audit: known vulnerabilities (run `npm audit --omit=dev` for details):"]
        for name, vuln in sorted(vulnerabilities.items()):
            lines.append(f"  {name} {vuln.get('range', '')}: {vuln.get('severity', 'unknown')}")
        return Verdict(False, lines)
    total = (report.get("metadata") or {}).get("dependencies", {}).get("prod", "the")
    return Verdict(True, [f"npm audit: {total} production dependencies audited, no known vulnerability"])


def run(command: list[str]) -> tuple[str, str, int]:
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)  # noqa: S603
    except subprocess.TimeoutExpired:
        return "", f"{command[0]} timed out after 300 s", 1
    return done.stdout, done.stderr, done.returncode


def main() -> int:
    if not PIP_AUDIT.exists():
        print(f"pip-audit is missing at {PIP_AUDIT}: run `make install`", file=sys.stderr)
        return 1
    verdicts = [
        pip_audit_verdict(*run([str(PIP_AUDIT), "--format", "json", "--progress-spinner", "off", "--skip-editable"])),
        npm_audit_verdict(*run(["npm", "audit", "--omit=dev", "--json"])),
    ]
    for verdict in verdicts:
        print("\n".join(verdict.lines), file=sys.stdout if verdict.ok else sys.stderr)
    return 0 if all(v.ok for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
