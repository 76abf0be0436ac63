"""Every source map or source URL named by a static file ships with it: the production storage
(WhiteNoise's manifest) rewrites these references at collectstatic and fails on a missing target,
which stops the web process from starting."""

import json
import re
from pathlib import Path

from django.conf import settings

# `//# sourceMappingURL=x.map` (JS) and `/*# sourceMappingURL=x.map */` (CSS); `sourceURL` too.
REFERENCE = re.compile(rb"[#@]\s*source(?:Mapping)?URL=([^\s*]+)")


def _static_files():
    for root in settings.STATICFILES_DIRS:
        yield from (p for p in Path(root).rglob("*") if p.suffix in (".js", ".css", ".mjs"))


def test_every_referenced_source_map_is_vendored():
    # given every JS and CSS file under static/
    files = list(_static_files())
    assert any(p.name == "chart.umd.min.js" for p in files)

    # when their source map references are resolved next to them
    missing = [
        f"{path}: {target.decode()}"
        for path in files
        for target in REFERENCE.findall(path.read_bytes())
        if not target.startswith((b"data:", b"http:", b"https:")) and not (path.parent / target.decode()).is_file()
    ]

    # then each one exists
    assert missing == []


def test_the_vendored_chartjs_map_belongs_to_the_vendored_build():
    vendor = Path(settings.STATICFILES_DIRS[0]) / "vendor" / "chartjs"
    banner = (vendor / "chart.umd.min.js").read_text(encoding="utf-8")[:200]
    source_map = json.loads((vendor / "chart.umd.min.js.map").read_text(encoding="utf-8"))

    assert "Chart.js v4.6.1" in banner
    assert source_map["file"] == "chart.umd.min.js"
    assert (vendor / "VERSION").read_text().startswith("chart.js 4.6.1")
