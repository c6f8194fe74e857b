"""The artifact model (pkg/core/model.py): its JSON schema is the checked-in one, both moments' manifests
validate against it with a JSON-schema validator (not only pydantic), and a bad manifest is a one-line error."""

import json
import subprocess
import sys

import jsonschema
import pytest

from pkg import pipeline
from pkg.core import model, names
from pkg.core.errors import PkgError
from pkg.core.model import Kind

from .conftest import ROOT, example_config
from .fixtures import fake_build, fake_dist

V = "0.2.0"


def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(model.SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_checked_in_schema_is_the_models():
    assert model.SCHEMA_FILE.read_text(encoding="utf-8") == model.schema_text(), \
        "the model changed: run `python -m pkg schema --write`"
    printed = subprocess.run([sys.executable, "-m", "pkg", "schema"], capture_output=True, text=True,
                             cwd=ROOT, check=True).stdout
    assert json.loads(printed) == model.schema()


def test_a_build_manifest_matches_the_schema(tmp_path):
    fake_build(tmp_path, "linux-x86_64", V)
    path, manifest = model.find_build(tmp_path, "linux-x86_64")
    data = json.loads(path.read_text())
    validator().validate(data)
    assert data["schema"] == model.SCHEMA and data["moment"] == "build"
    broken = {**data, "builds": {"linux-x86_64": {**data["builds"]["linux-x86_64"], "commands": "tailor"}}}
    assert list(validator().iter_errors(broken))  # the validator sees a wrong shape


def test_a_release_manifest_matches_the_schema_and_lists_every_file(tmp_path):
    dist = fake_dist(tmp_path / "dist", V)
    final = pipeline.release(example_config(), V, dist, tmp_path / "release", require_all=True,
                             repo_out=tmp_path / "repo")
    data = json.loads((final / names.MANIFEST).read_text())
    validator().validate(data)
    manifest = model.read(final / names.MANIFEST)
    # Every kind a release can hold is there (the builds' reports, license folders and the files inside their
    # folders stay in dist/).
    assert {a.kind for a in manifest.artifacts} == {k for k in Kind if not k.shared} - {Kind.REPORT,
                                                                                          Kind.LICENSE_FILES}
    assert {p.name for p in final.iterdir()} == {a.path.split("/")[0] for a in manifest.artifacts}
    copies = [c for a in manifest.artifacts for c in a.copies]
    assert len(copies) == 3 and all((tmp_path / "repo" / c).exists() for c in copies)


@pytest.mark.parametrize(("text", "error"), [
    (None, "no manifest"),
    ("{", "not a valid manifest"),
    ('{"schema": 1}', "a manifest of schema 1, not"),
    (json.dumps({"schema": model.SCHEMA, "moment": "later"}), "not a valid manifest: moment"),
])
def test_a_bad_manifest_is_a_one_line_error(tmp_path, text, error):
    path = tmp_path / "m.json"
    if text is not None:
        path.write_text(text)
    with pytest.raises(PkgError, match=error) as caught:
        model.read(path)
    assert "\n" not in str(caught.value)


def test_two_builds_of_one_target_in_dist_are_refused(tmp_path):
    fake_build(tmp_path, "linux-x86_64", V)
    (tmp_path / names.build_manifest("other", "linux-x86_64")).write_text("{}")
    with pytest.raises(PkgError, match="2 build manifests for linux-x86_64"):
        model.find_build(tmp_path, "linux-x86_64")


def test_backend_and_layout_are_typed_not_taken_apart(tmp_path):
    assert model.Backend.parse("pyinstaller-onefile").tool == "pyinstaller"
    assert model.Backend.parse("pyinstaller-onefile").onefile and not model.Backend.NUITKA.onefile
    with pytest.raises(PkgError, match=r"unknown backend 'cx_freeze' \(known: nuitka, pyinstaller, pyinstaller-"):
        model.Backend.parse("cx_freeze")
    fake_build(tmp_path, "linux-x86_64", V)
    path, manifest = model.find_build(tmp_path, "linux-x86_64")
    assert manifest.builds["linux-x86_64"].layout is model.Layout.LIB
    assert manifest.builds["linux-x86_64"].backend is model.Backend.NUITKA
    text = path.read_text(encoding="utf-8")
    for bad in (text.replace('"layout": "lib"', '"layout": "tree"'),
                text.replace('"backend": "nuitka"', '"backend": "x"')):
        assert bad != text
        path.write_text(bad, encoding="utf-8")
        with pytest.raises(PkgError, match="manifest"):
            model.read(path)
