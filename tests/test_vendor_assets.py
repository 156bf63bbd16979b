"""The vendored bundles survive production's manifest storage: every source map they name is there."""

import importlib.util
import re
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[1]
NAMED_MAP = re.compile(r"sourceMappingURL=([^\s*]+)")


def load_vendor_script():
    spec = importlib.util.spec_from_file_location("vendor_assets", ROOT / "scripts" / "vendor_assets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def vendored(tmp_path_factory):
    out = tmp_path_factory.mktemp("static") / "vendor"
    assert load_vendor_script().main(out) == 0
    return out


def test_every_source_map_a_bundle_names_is_copied_beside_it(vendored):
    bundles = [p for p in vendored.rglob("*") if p.suffix in {".js", ".css"}]
    assert {p.name for p in bundles} >= {
        "govuk-frontend.min.js",
        "govuk-frontend.min.css",
        "moj-frontend.min.js",
        "moj-frontend.min.css",
        "chart.umd.min.js",
        "htmx.min.js",
    }
    named = 0
    for bundle in bundles:
        for url in NAMED_MAP.findall(bundle.read_text(encoding="utf-8")):
            named += 1
            assert (bundle.parent / url).is_file(), f"{bundle.name} names {url}, which is not there"
    assert named >= 5  # GOV.UK and MOJ JS and CSS, Chart.js: their maps are kept, not stripped


def test_manifest_storage_collects_the_vendored_bundles(vendored, tmp_path, settings):
    settings.STATICFILES_DIRS = [vendored.parent]
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    manifest = (tmp_path / "collected" / "staticfiles.json").read_text()
    assert "vendor/chartjs/chart.umd.min.js.map" in manifest
    assert "vendor/govuk/govuk-frontend.min.css" in manifest
