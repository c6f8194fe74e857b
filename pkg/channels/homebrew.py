"""Stage `homebrew`: the Homebrew formula, in the release and in the tap layout homebrew/Formula/<name>.rb.

Ruby has no emitter: templates/formula.rb is filled with quoted Ruby strings and generated blocks,
one `url`/`sha256` pair per macOS/Linux archive under on_macos/on_linux × on_intel/on_arm, one
`bin.install_symlink` per command, `bash_completion`/`zsh_completion`/`fish_completion`/`man<N>.install`
for the completions and man pages every one of those builds carries (pkg/compile/share.py), and the
license in Homebrew's DSL (pkg/project/license_mapping.py).
The project's summary is mapped to brew's desc rules where the mapping is sure (a leading article and a
final full stop dropped, the first letter capitalised); any other rule it breaks is an error at
`make check` / build time, naming tool.pkg.description as the fix.

`version` is written on purpose: Homebrew scans the version from the file name first, and names like
mytool-linux-x86_64.tar.gz / mytool-macos-arm64.tar.gz scan as "86.64" / "64". So the URLs do not carry
the version in a form brew finds, and the line is not the redundant kind `brew audit` rejects.
"""

import re
import shlex
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import urlparse

from pkg.channels import summary
from pkg.channels.template import fill
from pkg.core import names
from pkg.core.config import CommandOptions, Config, github_repository
from pkg.core.errors import InputError, PkgError
from pkg.core.model import App, Artifact, Kind
from pkg.core.stage import Stage
from pkg.core.targets import Target
from pkg.project import license_mapping
from pkg.release.context import ReleaseContext, stable_only

OSES = (("macos", "on_macos"), ("linux", "on_linux"))  # Homebrew's order: macos, linux; intel, arm
ARCHES = (("x86_64", "on_intel"), ("arm64", "on_arm"))
MAX_DESC = 80
LOWERCASE_OK = ("iOS", "iPhone", "macOS")  # words brew lets a desc start with in lower case
INSTALLERS = {Kind.BASH_COMPLETION: "bash_completion", Kind.ZSH_COMPLETION: "zsh_completion",
              Kind.FISH_COMPLETION: "fish_completion"}  # man pages: man<N>, from their folder


DEFAULT_OPTIONS = CommandOptions()  # a main command with --version printing the version


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
    words = desc.split()
    checks = [
        (not desc, "must not be empty"),
        (desc[:1].isspace(), "must not start with a space"),
        (desc[-1:].isspace(), "must not end with a space"),
        (re.search(r"command ?line", desc, re.I) is not None, 'must say "command-line"'),
        (re.match(r"(the|an?)(?=\s)", desc, re.I) is not None, "must not start with an article"),
        (re.match(r"[a-z]", desc) is not None and words[0] not in LOWERCASE_OK, "must start with a capital letter"),
        (summary.starts_with_name(desc, app), f"must not start with the formula name {app!r}"),
        (desc.endswith(".") and not desc.endswith("etc."), "must not end with a full stop"),
        (any(unicodedata.category(c) == "So" for c in desc), "must not contain emoji or symbols"),
        (len(desc) > MAX_DESC, f"must be at most {MAX_DESC} characters (is {len(desc)})"),
    ]
    return next((rule for broken, rule in checks if broken), None)


def desc(app: App) -> str:
    """The project's summary under brew's rules: what can be mapped is mapped, the rest is an error."""
    text = summary.one_line(app.summary)
    problem = desc_problem(text, app.name)
    if problem:
        raise InputError(f"the summary {app.summary!r} breaks Homebrew's desc rule: it {problem} "
                         "(set tool.pkg.description)")
    return text


def check_app(cfg: Config, app: App) -> None:
    cfg.require_https("Homebrew")
    class_name(app.name)
    desc(app)


def _livecheck(url: str) -> str:
    if github_repository(url, releases=True):
        return "    url :stable\n    strategy :github_latest"
    return f"    skip {ruby_string('no version feed known for ' + urlparse(url).netloc)}"


def _body(archives: dict[str, Artifact]) -> str:
    """depends_on (when one OS has no archive) and the on_<os> × on_<arch> url/sha256 blocks."""
    oses = [os_name for os_name, _ in OSES if any(t.startswith(os_name + "-") for t in archives)]
    blocks = [f"  depends_on :{oses[0]}"] if len(oses) == 1 else []
    for os_name, os_block in OSES:
        inner = [f"    {arch_block} do\n      url {ruby_string(art.url)}\n"
                 f"      sha256 {ruby_string(art.sha256)}\n    end"
                 for arch, arch_block in ARCHES if (art := archives.get(Target(os_name, arch).name))]
        if inner:
            blocks.append(f"  {os_block} do\n" + "\n\n".join(inner) + "\n  end")
    return "\n\n".join(blocks)


def test_block(app: App, options: CommandOptions = DEFAULT_OPTIONS) -> str:
    """brew's `test do`: the version check when the main command prints the version (its version-args), its
    answer when it is declared to print another number, else its help."""
    if not options.version_argv:
        return f'    system bin/{ruby_string(app.main.name)}, "--help"'
    args = ", ".join(ruby_string(a) for a in options.version_argv)
    if options.version_differs:
        return f'    system bin/{ruby_string(app.main.name)}, {args}'
    line = ruby_string(" ".join(shlex.quote(a) for a in [app.main.name, *options.version_argv]))[1:-1]
    return f'    assert_match version.to_s, shell_output("#{{bin}}/{line}")'


def archives(ctx: ReleaseContext) -> dict[str, Artifact]:
    """The macOS and Linux tarballs by target."""
    return {a.target: a for os_name, _ in OSES for a in ctx.manifest.select(Kind.ARCHIVE, os_name)}


def shared(ctx: ReleaseContext, found: dict[str, Artifact]) -> list[tuple[Kind, str]]:
    """The completions and man pages (kind, path in the folder) that every archive of the formula carries;
    one that only some carry would fail `brew install` on the others, so it is left out, with a warning."""
    per_target = {target: {(a.kind, a.path.removeprefix(ctx.inputs.builds[target].folder + "/"))
                           for a in ctx.inputs.shared(target)} for target in found}
    common = set.intersection(*per_target.values()) if per_target else set()
    partial = set.union(*per_target.values()) - common if per_target else set()
    ctx.warnings += [f"formula: {path} is not in every macOS/Linux build: not installed by brew" for _, path in
                     sorted(partial)]
    return sorted(common, key=lambda item: item[1])


def installs(files: list[tuple[Kind, str]]) -> str:
    """`bash_completion.install libexec/"share/…"` per file: Homebrew puts each where its shell and man look."""
    return "".join(f"\n    {INSTALLERS.get(kind) or PurePosixPath(path).parent.name}.install "
                   f"libexec/{ruby_string(path)}" for kind, path in files)


def render(app: App, version: str, tag: str, found: dict[str, Artifact],
           options: CommandOptions = DEFAULT_OPTIONS, files: list[tuple[Kind, str]] = ()) -> str:
    for art in found.values():
        if not (art.url or "").startswith("https://"):
            raise PkgError(f"{art.name}: Homebrew wants an https URL, got {art.url}")
    links = "\n".join(f"    bin.install_symlink libexec/{ruby_string(c)}" for c in app.command_names) + installs(files)
    return fill("formula.rb", {
        "SOURCE": f"{names.RELEASES}/{names.release_folder(tag)}/{names.MANIFEST}",
        "CLASS_NAME": class_name(app.name), "DESC": ruby_string(desc(app)),
        "HOMEPAGE": ruby_string(app.homepage), "VERSION": ruby_string(version),
        "LICENSE": license_mapping.homebrew(app.license),
        "LIVECHECK": _livecheck(next(iter(found.values())).url), "BODY": _body(found), "LINKS": links,
        "TEST": test_block(app, options)})


def skip(ctx: ReleaseContext) -> str | None:
    return stable_only(ctx) or (None if archives(ctx) else "no macOS or Linux archive in this release")


def writes(ctx: ReleaseContext) -> list[str]:
    return [names.formula(ctx.app.name)]


def run(ctx: ReleaseContext) -> None:
    app = ctx.app
    found = archives(ctx)
    text = render(app, str(ctx.version), ctx.version.tag, found, ctx.cfg.command_options(app.main.name),
                  shared(ctx, found))
    ctx.write(names.formula(app.name), text, Kind.FORMULA, [names.formula_in_tap(app.name)])


STAGE = Stage("homebrew", "the Homebrew formula (and homebrew/Formula/ for the tap)", run, skip, writes,
              refuse=check_app)
