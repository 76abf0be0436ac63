"""axe-core in Chromium for the accessibility tests.

axe-core is vendored under tests/e2e/vendor/axe-core/ (npm pack axe-core@4.14.1, MPL-2.0) and
injected into the page under test: nothing is fetched at run time and nothing of it is served by
the application. `AxeAudit.check(page, screen)` runs the WCAG 2.1 A and AA rules on the page as
it is now and keeps what it found; `assert_clean()` fails once at the end listing every screen's
violations (rule id, impact and element selector), so one run shows the whole picture rather than
stopping at the first screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

AXE_JS = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_RUN = """async (tags) => {
  const result = await window.axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(" "), html: n.html.slice(0, 160) })),
  }));
}"""


def axe_violations(page) -> list[dict]:
    """WCAG 2.1 A/AA violations on the page as it is rendered now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_JS)
    return page.evaluate(_RUN, WCAG21_AA)


@dataclass
class AxeAudit:
    findings: dict[str, list[dict]] = field(default_factory=dict)
    screens: list[str] = field(default_factory=list)

    def check(self, page, screen: str) -> list[dict]:
        violations = axe_violations(page)
        self.screens.append(screen)
        if violations:
            self.findings[screen] = violations
        return violations

    def report(self) -> str:
        lines = []
        for screen, violations in self.findings.items():
            for violation in violations:
                for node in violation["nodes"]:
                    rule = f"{violation['id']} ({violation['impact']})"
                    lines.append(f"{screen}: {rule} {node['target']}  {node['html']}")
        return "\n".join(lines)

    def assert_clean(self) -> None:
        assert self.screens, "no screen was checked"
        assert not self.findings, f"WCAG 2.1 AA violations on {len(self.findings)} screen(s):\n{self.report()}"
