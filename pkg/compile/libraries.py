"""The system libraries Nuitka bundled (libssl, libffi, libbz2…), described while the build machine is at
hand: the hash of the copy that ships, and what its package manager knows — the owning package, its
version and license, a package URL — so SBOM scanners can match them (a soname alone matches nothing).

  Debian/Ubuntu  dpkg-query -S (the path as Nuitka found it, then /lib ↔ /usr/lib, then its real path),
                 dpkg-query -W for the version and source package, the DEP-5 copyright's `Files: *` license
                 (Debian's short names mapped to SPDX where they are one: Expat → MIT, GPL-2+ →
                 GPL-2.0-or-later…) and that copyright file as its license text;
                 purl pkg:deb/<os-release ID>/<package>@<version>?arch=<arch>
  RPM systems    rpm -qf: name, version-release, its License tag and source rpm; rpm -qL: its license files;
                 purl pkg:rpm/<ID>/<name>@<version>
  Homebrew       the Cellar path: <formula>/<version>; its LICENSE/COPYING files there
Nuitka's report also says which file needs each library ("Used by 'readline.so'"): followed to the Python
extension module that brings it in, the build can say which module ships a copyleft library.
  otherwise      the name and hash only (Windows' DLLs come with CPython, which the SBOM lists)
"""

import os
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

from packageurl import PackageURL

from pkg.core import proc, spdx
from pkg.core.model import Library, sha256_file

DEBIAN_SPDX = {"Expat": "MIT", "GPL-2": "GPL-2.0-only", "GPL-2+": "GPL-2.0-or-later", "GPL-3": "GPL-3.0-only",
               "GPL-3+": "GPL-3.0-or-later", "LGPL-2.1": "LGPL-2.1-only", "LGPL-2.1+": "LGPL-2.1-or-later",
               "LGPL-3": "LGPL-3.0-only", "LGPL-3+": "LGPL-3.0-or-later", "BSD-2-clause": "BSD-2-Clause",
               "BSD-3-clause": "BSD-3-Clause", "PD": "LicenseRef-Public-Domain", "public-domain":
               "LicenseRef-Public-Domain"}


def _run(*args: str) -> str | None:
    done = proc.answer(list(args))
    return done.stdout if done is not None and done.returncode == 0 else None


def os_id() -> str | None:
    """/etc/os-release's ID (debian, ubuntu, almalinux…): the purl namespace of its packages."""
    try:
        text = Path("/etc/os-release").read_text()
    except OSError:
        return None
    match = re.search(r'^ID="?([^"\n]+)"?$', text, re.MULTILINE)
    return match.group(1) if match else None


def candidates(path: str) -> list[str]:
    """Where a package database may have registered a library found at `path` (merged /usr)."""
    real = os.path.realpath(path)
    found = []
    for p in (path, real):
        found += [p, p.removeprefix("/usr") if p.startswith("/usr/lib/") else "/usr" + p]
    return list(dict.fromkeys(found))


def debian_license(package: str, library: str) -> str | None:
    """The license Debian's machine-readable copyright (DEP-5) gives the library's own sources — the stanza
    whose Files name it (`libuuid/*` in util-linux's), else `Files: *` — as SPDX where Debian's name is one."""
    try:
        text = Path("/usr/share/doc", package.split(":")[0], "copyright").read_text(errors="replace")
    except OSError:
        return None
    stanzas = re.findall(r"^Files:\s*([^\n]*(?:\n[ \t]+[^\n]*)*).*?^License:\s*(\S[^\n]*)$", text,
                         re.MULTILINE | re.DOTALL)
    stem = library.split(".so")[0].split(".")[0]  # libuuid.so.1 → libuuid
    own = [lic for files, lic in stanzas if re.search(rf"(^|\s){re.escape(stem)}/", files)]
    default = [lic for files, lic in stanzas if files.split() == ["*"]]
    name = next(iter(own + default), "").strip()
    return (DEBIAN_SPDX.get(name) or spdx.canonical(name) or name) if name else None


def from_dpkg(path: str, distro: str | None) -> dict:
    for candidate in candidates(path):
        owner = _run("dpkg-query", "-S", candidate)
        if owner:
            package = owner.split(": ", 1)[0].split(", ")[0]
            fields = (_run("dpkg-query", "-W", "-f", "${Package} ${Version} ${Architecture} ${source:Package} "
                           "${source:Version}", package) or "").split()
            if len(fields) != 5:
                return {}
            name, version, arch, source, source_version = fields
            purl = PackageURL(type="deb", namespace=distro, name=name, version=version, qualifiers={"arch": arch})
            copyright_file = Path("/usr/share/doc", package.split(":")[0], "copyright")
            return {"package": name, "version": version, "license": debian_license(package, Path(path).name),
                    "purl": str(purl), "source": f"Debian source package {source} {source_version}",
                    "texts": [copyright_file] if copyright_file.is_file() else []}
    return {}


def from_rpm(path: str, distro: str | None) -> dict:
    for candidate in candidates(path):
        out = _run("rpm", "-qf", "--qf", "%{NAME}\t%{VERSION}-%{RELEASE}\t%{ARCH}\t%{LICENSE}\t%{SOURCERPM}",
                   candidate)
        if out and out.count("\t") == 4:
            name, version, arch, text, source = out.split("\t")
            purl = PackageURL(type="rpm", namespace=distro, name=name, version=version, qualifiers={"arch": arch})
            texts = [Path(p) for p in (_run("rpm", "-qL", name) or "").split() if Path(p).is_file()]
            return {"package": name, "version": version, "license": spdx.canonical(text) or text,
                    "purl": str(purl), "source": f"source rpm {source}", "texts": texts}
    return {}


def from_homebrew(path: str) -> dict:
    match = re.search(r"^(.*/Cellar/([^/]+)/([^/]+))/", os.path.realpath(path))
    if not match:
        return {}
    keg = Path(match.group(1))
    texts = sorted(p for p in keg.iterdir() if p.is_file() and p.name.upper().startswith(("LICENSE", "COPYING")))
    return {"package": match.group(2), "version": match.group(3), "texts": texts}


def owner(path: str) -> dict:
    """What the machine's package manager says of the file at `path` (package, version, license, purl)."""
    distro = os_id()
    if shutil.which("dpkg-query"):
        return from_dpkg(path, distro)
    if shutil.which("rpm") and distro not in (None, "debian", "ubuntu"):
        return from_rpm(path, distro)
    return from_homebrew(path)


def copyleft(expression: str | None) -> bool:
    """A GNU license (GPL, LGPL, AGPL) in the library's license: its text ships, and for the GPL its source
    is named in the release notes."""
    return bool(expression) and re.search(r"\b(A|L)?GPL", expression) is not None


USED_BY = re.compile(r"Used by '([^']+)'")  # the reason Nuitka records for a library another file needs


def extension_module(dest: str) -> str:
    """The module an extension file is: yaml/_yaml.cpython-311-x86_64-linux-gnu.so → yaml._yaml."""
    parts = dest.replace("\\", "/").split("/")
    return ".".join([*parts[:-1], parts[-1].split(".")[0]])


def needed_by(report: ElementTree.Element) -> dict[str, str]:
    """library name -> the Python extension module that brings it in (through other libraries, if need be)."""
    user = {}
    for dll in report.iter("included_dll"):
        match = USED_BY.search(dll.get("reason") or "")
        if match:
            user[dll.get("name")] = match.group(1)
    found = {}
    for name, by in user.items():
        seen = {name}
        while Path(by).name in user and Path(by).name not in seen:  # a library needed by a library
            seen.add(Path(by).name)
            by = user[Path(by).name]
        found[name] = extension_module(by)
    return found


def describe(report: ElementTree.Element, folder: Path) -> tuple[list[Library], dict[str, list[Path]]]:
    """Every library Nuitka's report says it bundled into `folder`, hashed as shipped, with its package; and
    the license texts its package manager has for each (name -> files on this machine)."""
    found, texts, users = [], {}, needed_by(report)
    for dll in report.iter("included_dll"):
        name, dest, source = dll.get("name"), dll.get("dest_path") or dll.get("name"), dll.get("source_path") or ""
        shipped = next((p for p in (folder / dest, folder / "lib" / dest) if p.is_file()), None)
        facts = owner(source) if source.startswith("/") else {}
        texts[name] = facts.pop("texts", [])
        found.append(Library(name=name, sha256=sha256_file(shipped) if shipped else None, needed_by=users.get(name),
                             **facts))
    return sorted(found, key=lambda lib: lib.name), texts
