"""Stage `audit` and `make audit`: pip-audit of exactly the shipped distributions (from the builds'
manifests, not a venv). Offline (as on this machine) the result is "not scanned: <reason>": a warning in
the release notes, and exit 0 from `make audit` unless AUDIT=required. Known vulnerabilities fail `make
audit` and are listed in the notes.
"""

import json
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pkg.core import proc
from pkg.core.errors import PkgError
from pkg.core.model import AuditStatus
from pkg.core.stage import Stage
from pkg.release.context import ReleaseContext


@dataclass
class AuditResult:
    status: AuditStatus
    summary: str
    findings: list[str]

    def markdown(self) -> list[str]:
        return [f"Vulnerability scan (pip-audit): {self.status} — {self.summary}"] + [f"- {f}" for f in self.findings]


def _pip_audit() -> str | None:
    here = Path(sys.executable).with_name("pip-audit")
    return str(here) if here.exists() else shutil.which("pip-audit")


def scan(distributions: dict[str, str], timeout: float = 120) -> AuditResult:
    if not distributions:
        return AuditResult(AuditStatus.CLEAN, "no third-party distributions ship", [])
    tool = _pip_audit()
    if tool is None:
        return AuditResult(AuditStatus.NOT_SCANNED, "pip-audit is not installed", [])
    with tempfile.TemporaryDirectory() as tmp:
        req = Path(tmp) / "shipped.txt"
        req.write_text("".join(f"{name}=={ver}\n" for name, ver in sorted(distributions.items())))
        done = proc.answer([tool, "-r", req, "--no-deps", "--disable-pip", "--progress-spinner", "off", "-f", "json"],
                           timeout=timeout)
    if done is None:
        return AuditResult(AuditStatus.NOT_SCANNED, f"pip-audit gave no answer within {timeout:.0f} s", [])
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return AuditResult(AuditStatus.NOT_SCANNED, f"pip-audit failed: {last[:200]}", [])
    deps = report.get("dependencies", [])
    skipped = [d for d in deps if d.get("skip_reason")]
    if deps and len(skipped) == len(deps):
        reason = skipped[0]["skip_reason"]
        return AuditResult(AuditStatus.NOT_SCANNED, f"vulnerability service unreachable ({reason})", [])
    findings = [f"{d['name']} {d.get('version', '')}: {v['id']} (fixed in {', '.join(v.get('fix_versions') or ['-'])})"
                for d in deps for v in d.get("vulns", [])]
    findings += [f"{d['name']}: not scanned ({d['skip_reason']})" for d in skipped]
    vulnerable = any(d.get("vulns") for d in deps)
    return AuditResult(AuditStatus.VULNERABLE if vulnerable else AuditStatus.CLEAN,
                       f"{len(deps) - len(skipped)} of {len(deps)} distributions scanned", findings)


def enforce(result: AuditResult, required: bool) -> None:
    print("\n".join(result.markdown()))
    if result.status is AuditStatus.VULNERABLE:
        raise PkgError("known vulnerabilities in shipped distributions (see above)")
    if result.status is AuditStatus.NOT_SCANNED and required:
        raise PkgError(f"AUDIT=required but not scanned: {result.summary}")


def run(ctx: ReleaseContext) -> None:
    from pkg.core.shipped import versions

    result = scan(versions(ctx.shipped))
    ctx.warnings += result.markdown()[:1] if result.status is not AuditStatus.VULNERABLE else result.markdown()


STAGE = Stage("audit", "pip-audit of the shipped distributions (a warning in the notes when it cannot scan)", run)
