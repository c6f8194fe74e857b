"""[tool.pkg]'s one model (pkg/core/settings.py): its published JSON schema is the checked-in one and a real
JSON-schema validator agrees with the model on good and bad tables; the README's key reference is rendered
from it; every key says what it means."""

import json
import subprocess
import sys
import tomllib

import jsonschema
import pytest

from pkg.core import settings
from pkg.dev import config_reference

from .conftest import ROOT

PROJECTS = sorted((ROOT / "tests").glob("**/pyproject.toml"))


def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(settings.SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_the_checked_in_schema_is_the_models():
    assert settings.SCHEMA_FILE.read_text(encoding="utf-8") == settings.schema_text(), \
        "the [tool.pkg] model changed: run `python -m pkg schema --write`"
    printed = subprocess.run([sys.executable, "-m", "pkg", "schema", "--config"], capture_output=True, text=True,
                             cwd=ROOT, check=True).stdout
    assert json.loads(printed) == settings.schema()


def test_the_readme_key_reference_is_rendered_from_the_model():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"{config_reference.BEGIN}\n{config_reference.render()}{config_reference.END}" in readme, \
        "run `python -m pkg schema --write`"
    keys = [row[0] for row in config_reference.rows()]
    for key in ("publisher", "command.NAME.version-args", "checks[].stdout-contains", "exclude.linux", "exclude.GLOB",
                "nuitka.compile", "startup.instructions-growth", "packages.deb.conflicts", "completions", "glibc"):
        assert key in keys, key


def test_every_key_says_what_it_means():
    undocumented = [key for key, _, _, meaning in config_reference.rows() if not meaning.strip()]
    assert undocumented == []


def tables() -> list:
    """Every [tool.pkg] this repository holds: the example's and the fixture projects'."""
    found = [tomllib.loads((ROOT / "pyproject.toml").read_text())]
    found += [data for data in (tomllib.loads(p.read_text()) for p in PROJECTS) if "pkg" in data.get("tool", {})]
    return found


def test_the_validator_and_the_model_accept_every_table_here():
    checked = tables()
    assert len(checked) >= 1
    for data in checked:
        settings.PkgTable.model_validate(data["tool"]["pkg"])
        assert list(validator().iter_errors(data)) == []


GOOD = {"publisher": "P", "package-id": "P.A", "upgrade-code": "6f1d3c2a-8b4e-4c5d-9a7f-2e1b0c9d8e7f",
        "url-template": "https://example.org/{version}/{file}"}


@pytest.mark.parametrize("bad", [
    {"colour": 1},
    {"publisher": 3},
    {"nuitka": {"compile": "some"}},
    {"command": {"a": {"no-args-exit": 300}}},
    {"command": {"a": {"pip-installed": "skip"}}},
    {"checks": [{"args": ["x"]}]},
    {"checks": [{"name": "x", "timeout": 0}]},
    {"startup": {"version-ms": -1}},
    {"completions": {"ksh": "x"}},
    {"completions": True},
    {"packages": {"deb": {"breaks": ["x"]}}},
    {"packages": {"conflicts": ["a < 2"]}},
    {"exclude": {"x/*": 1}},
    {"man": "pandoc"},
    {"tag-prefix": "release-"},
    {"checks": [{"name": "x", "terminal": "yes"}]},
    {"completions": {"bash": {"x": 1}}},
    {"checks": [{"name": "x", "stdout-matches": ""}]},
    {"checks": [{"name": "x", "stdout-equals": ""}]},
])
def test_a_bad_table_is_refused_by_both(bad):
    with pytest.raises(settings.ValidationError) as refused:
        settings.PkgTable.model_validate({**GOOD, **bad})
    lines = settings.problems(refused.value)
    assert lines and all(line.startswith("tool.pkg") and "\n" not in line for line in lines)
    assert list(validator().iter_errors({"tool": {"pkg": {**GOOD, **bad}}})), f"the schema accepts {bad}"


def test_what_the_schema_cannot_see_is_the_models_alone():
    """Rules a JSON schema does not express (a GUID's form, an SPDX expression) are still the model's."""
    for bad in ({"upgrade-code": "not-a-guid"}, {"license": "MIT or whatever"}, {"maintainer": "nobody"},
                {"completions": {"bash": "mytool 'completion"}}, {"checks": [{"name": "x", "files": {"C:/x": ""}}]}):
        with pytest.raises(settings.ValidationError):
            settings.PkgTable.model_validate({**GOOD, **bad})
    settings.PkgTable.model_validate(GOOD)
