"""`make lint`'s dependency audit: fails on a known vulnerability, skips (saying so) when the
advisory service cannot be reached, and never takes "nothing audited" for "nothing found"."""

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("audit_dependencies", ROOT / "scripts" / "audit_dependencies.py")
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)


def pip_report(*dependencies):
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


def test_pip_audit_fails_on_a_known_vulnerability():
    out = pip_report(
        {"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"]}]},
        {"name": "celery", "version": "5.7.0", "vulns": []},
    )
    verdict = audit.pip_audit_verdict(out, "", 1)
    assert not verdict.ok
    assert "  django 5.2.0: PYSEC-2025-1 (fixed in 5.2.1)" in verdict.lines


def test_pip_audit_passes_when_dependencies_were_audited_and_nothing_is_known():
    out = pip_report(
        {"name": "django", "version": "5.2.19", "vulns": []},
        {"name": "local-thing", "skip_reason": "Dependency not found on PyPI"},
    )
    verdict = audit.pip_audit_verdict(out, "", 0)
    assert verdict.ok
    assert verdict.lines == [
        "pip-audit: 1 dependencies audited, no known vulnerability",
        "pip-audit: not audited: local-thing",
    ]


def test_pip_audit_that_could_look_nothing_up_is_a_skip_said_plainly_not_a_pass():
    out = pip_report(
        {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited: django (5.2.19)"},
        {"name": "celery", "skip_reason": "Dependency not found on PyPI and could not be audited: celery (5.7.0)"},
    )
    verdict = audit.pip_audit_verdict(out, "", 0)
    assert verdict.ok
    assert verdict.lines[0].startswith("pip-audit: SKIPPED, the advisory service could not be reached")
    assert "2 dependencies" in verdict.lines[0]


def test_pip_audit_with_no_report_at_all_is_a_skip_with_the_reason():
    verdict = audit.pip_audit_verdict("", "requests.exceptions.ConnectionError: Max retries exceeded", 1)
    assert verdict.ok and "SKIPPED" in verdict.lines[0] and "Max retries exceeded" in verdict.lines[0]


def test_npm_audit_fails_on_a_known_vulnerability():
    out = json.dumps(
        {
            "auditReportVersion": 2,
            "vulnerabilities": {"chart.js": {"severity": "moderate", "range": "<4.4.1"}},
            "metadata": {"vulnerabilities": {"moderate": 1, "total": 1}},
        }
    )
    verdict = audit.npm_audit_verdict(out, "", 1)
    assert not verdict.ok
    assert "  chart.js <4.4.1: moderate" in verdict.lines


def test_npm_audit_passes_with_nothing_known():
    out = json.dumps({"auditReportVersion": 2, "vulnerabilities": {}, "metadata": {"dependencies": {"prod": 6}}})
    verdict = audit.npm_audit_verdict(out, "", 0)
    assert verdict.ok and verdict.lines == ["npm audit: 6 production dependencies audited, no known vulnerability"]


def test_npm_audit_whose_advisory_endpoint_refuses_is_a_skip():
    out = json.dumps(
        {
            "message": "405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk",
            "statusCode": 405,
            "error": {"summary": "", "detail": ""},
        }
    )
    verdict = audit.npm_audit_verdict(out, "", 1)
    assert verdict.ok
    assert verdict.lines[0].startswith("npm audit: SKIPPED, the advisory service could not be reached (405")


def test_main_fails_when_either_half_finds_a_vulnerability(monkeypatch, capsys):
    vulnerable = pip_report({"name": "django", "version": "1.0", "vulns": [{"id": "X-1", "fix_versions": []}]})
    clean_npm = json.dumps({"vulnerabilities": {}, "metadata": {"dependencies": {"prod": 1}}})
    answers = {"pip-audit": (vulnerable, "", 1), "npm": (clean_npm, "", 0)}
    monkeypatch.setattr(audit, "run", lambda command: answers[Path(command[0]).name])
    assert audit.main() == 1
    assert "django 1.0: X-1 (fixed in no fixed version yet)" in capsys.readouterr().err
