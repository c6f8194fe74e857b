"""Homebrew formula (tap layout homebrew/Formula/<name>.rb, and a copy in the release folder).

Ruby has no emitter: pkg/templates/formula.rb is filled with quoted Ruby strings and generated blocks,
one `url`/`sha256` pair per macOS/Linux archive under on_macos/on_linux × on_intel/on_arm, one
`bin.install_symlink` per command, and the licence in Homebrew's DSL (pkg/licence.py).
The project's summary is mapped to brew's desc rules where the mapping is sure (a leading article and a
final full stop dropped, the first letter capitalised); any other rule it breaks is an error at
`make check` / build time, naming tool.pkg.description as the fix.

`version` is written on purpose: Homebrew scans the version from the file name first, and names like
mytool-linux-x86_64.tar.gz / mytool-macos-arm64.tar.gz scan as "86.64" / "64". So the URLs do not carry
the version in a form brew finds, and the line is not the redundant kind `brew audit` rejects.
"""

import re
import string
import unicodedata
from pathlib import Path
from urllib.parse import urlparse

from pkg import atomic, installers, licence, version
from pkg.app import App
from pkg.config import Config
from pkg.errors import InputError, PkgError

TEMPLATE = installers.TEMPLATES / "formula.rb"
OSES = (("macos", "on_macos"), ("linux", "on_linux"))  # Homebrew's order: macos, linux; intel, arm
ARCHES = (("x86_64", "on_intel"), ("arm64", "on_arm"))
MAX_DESC = 80
LOWERCASE_OK = ("iOS", "iPhone", "macOS")  # words brew lets a desc start with in lower case


def ruby_string(text: str) -> str:
    """A double-quoted Ruby literal that evaluates to exactly `text` (no interpolation)."""
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise InputError(f"{text!r}: control characters cannot go into a one-line formula string")
    body = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + re.sub(r"#(?=[{@$])", r"\\#", body) + '"'


def class_name(app: str) -> str:
    """Homebrew's formula name → class rule: mytool → Mytool, foo-bar → FooBar."""
    name = re.sub(r"[-_.]([a-zA-Z0-9])", lambda m: m.group(1).upper(), app.capitalize())
    if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", name):
        raise InputError(f"app {app!r} makes no valid Homebrew class name ({name!r})")
    return name


def desc_problem(desc: str, app: str) -> str | None:
    """The first `brew style`/`brew audit --strict` desc rule that `desc` breaks, or None."""
    name = "[\\s-]?".join(re.escape(c) for c in app.replace("-", ""))
    words = desc.split()
    checks = [
        (not desc, "must not be empty"),
        (desc[:1].isspace(), "must not start with a space"),
        (desc[-1:].isspace(), "must not end with a space"),
        (re.search(r"command ?line", desc, re.I) is not None, 'must say "command-line"'),
        (re.match(r"(the|an?)(?=\s)", desc, re.I) is not None, "must not start with an article"),
        (re.match(r"[a-z]", desc) is not None and words[0] not in LOWERCASE_OK, "must start with a capital letter"),
        (re.match(rf"{name}\b", desc, re.I) is not None, f"must not start with the formula name {app!r}"),
        (desc.endswith(".") and not desc.endswith("etc."), "must not end with a full stop"),
        (any(unicodedata.category(c) == "So" for c in desc), "must not contain emoji or symbols"),
        (len(desc) > MAX_DESC, f"must be at most {MAX_DESC} characters (is {len(desc)})"),
    ]
    return next((rule for broken, rule in checks if broken), None)


def desc(app: App) -> str:
    """The project's summary under brew's rules: what can be mapped is mapped, the rest is an error."""
    text = re.sub(r"^(the|an?)\s+", "", app.summary.strip(), flags=re.I)
    text = re.sub(r"(?<!etc)\.$", "", text).strip()
    text = text[:1].upper() + text[1:]
    problem = desc_problem(text, app.name)
    if problem:
        raise InputError(f"the summary {app.summary!r} breaks Homebrew's desc rule: it {problem} "
                         "(set tool.pkg.description)")
    return text


def check_app(cfg: Config, app: App) -> None:
    class_name(app.name)
    desc(app)


def _github_repo(url: str) -> str | None:
    parts = urlparse(url)
    segments = parts.path.strip("/").split("/")
    if parts.netloc == "github.com" and len(segments) >= 4 and segments[2:4] == ["releases", "download"]:
        return "/".join(segments[:2])
    return None


def _livecheck(url: str) -> str:
    if _github_repo(url):
        return "    url :stable\n    strategy :github_latest"
    return f"    skip {ruby_string('no version feed known for ' + urlparse(url).netloc)}"


def _body(archives: dict[str, dict]) -> str:
    """depends_on (when one OS has no archive) and the on_<os> × on_<arch> url/sha256 blocks."""
    oses = [os_name for os_name, _ in OSES if any(t.startswith(os_name + "-") for t in archives)]
    blocks = [f"  depends_on :{oses[0]}"] if len(oses) == 1 else []
    for os_name, os_block in OSES:
        inner = [f"    {arch_block} do\n      url {ruby_string(art['url'])}\n"
                 f"      sha256 {ruby_string(art['sha256'])}\n    end"
                 for arch, arch_block in ARCHES if (art := archives.get(f"{os_name}-{arch}"))]
        if inner:
            blocks.append(f"  {os_block} do\n" + "\n\n".join(inner) + "\n  end")
    return "\n\n".join(blocks)


def test_block(app: App, has_version: bool) -> str:
    """brew's `test do`: the version check when the main command has --version, else its help."""
    if has_version:
        return f'    assert_match version.to_s, shell_output("#{{bin}}/{app.main.name} --version")'
    return f'    system bin/{ruby_string(app.main.name)}, "--help"'


def render(app: App, release: dict, has_version: bool = True) -> str:
    ver = version.parse(release["version"])
    archives = {a["target"]: a for os_name, _ in OSES for a in installers.artifacts(release, "archive", os_name)
                if a["name"].endswith(".tar.gz")}
    for art in archives.values():
        if not art["url"].startswith("https://"):
            raise PkgError(f"{art['name']}: Homebrew wants an https URL, got {art['url']}")
    first_url = next(iter(archives.values()))["url"]
    links = "\n".join(f"    bin.install_symlink libexec/{ruby_string(c)}" for c in app.command_names)
    return string.Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        tag=ver.tag, class_name=class_name(app.name), desc=ruby_string(desc(app)),
        homepage=ruby_string(app.homepage), version=ruby_string(str(ver)), license=licence.homebrew(app.licence),
        livecheck=_livecheck(first_url), body=_body(archives), links=links, test=test_block(app, has_version))


def write(cfg: Config, app: App, release: dict, release_dir: Path, repo_root: Path,
          allow_prerelease: bool = False) -> list[Path]:
    installers.check_release(release)
    if installers.skip_prerelease(release, allow_prerelease, "Homebrew formula"):
        return []
    if not any(installers.artifacts(release, "archive", os_name) for os_name, _ in OSES):
        print("no macOS or Linux archive in this release: Homebrew formula not written")
        return []
    text = render(app, release, cfg.command_options(app.main.name).version)
    return atomic.write_copies([repo_root / "homebrew" / "Formula" / f"{app.name}.rb", release_dir / f"{app.name}.rb"],
                               text)


def add_parser(stages) -> None:
    installers.add_stage(stages, "homebrew", "write homebrew/Formula/<name>.rb from the release manifest",
                         installers.writer_stage(write))
