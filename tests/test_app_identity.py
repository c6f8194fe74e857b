"""What is shipped, resolved from any project's metadata and [tool.pkg]: name, homepage, summary, license,
commands — with the overrides and fallbacks package managers need."""

import dataclasses

import pytest

from pkg.core.errors import InputError
from pkg.core.model import App, License
from pkg.project import license_mapping
from pkg.project.app import resolve
from pkg.project.metadata import Metadata

from .conftest import example_config


def meta(**fields) -> Metadata:
    return Metadata(**{"name": "my-tool", "version": "1.0.0", "scripts": {"my-tool": "my_tool.cli:main"}, **fields})


@pytest.mark.parametrize(("urls", "homepage"), [
    ({"homepage": "https://a.example"}, "https://a.example"),                      # lower case (yamllint)
    ({"Source Code": "https://b.example", "Documentation": "https://d.example"}, "https://b.example"),
    ({"Repository": "https://c.example", "Changelog": "https://x.example"}, "https://c.example"),
    ({"Home-page": "https://legacy.example"}, "https://legacy.example"),         # metadata 1.x Home-page
    ({"Bug Tracker": "https://x.example"}, "https://github.com/example/tailor"),  # url-template's repository
])
def test_homepage_from_any_common_label(urls, homepage):
    assert resolve(example_config(), meta(urls=urls)).homepage == homepage


def test_no_homepage_anywhere_is_a_one_line_error():
    other = dataclasses.replace(example_config(), url_template="https://dl.example.org/{version}/{file}")
    with pytest.raises(InputError, match="no homepage: .*set tool.pkg.homepage"):
        resolve(other, meta())
    assert resolve(dataclasses.replace(other, homepage="https://h.example"), meta()).homepage == "https://h.example"


def test_summary_override_and_fallback():
    assert resolve(example_config(), meta(summary="Frobs  widgets\n")).summary == "Frobs widgets"
    assert resolve(example_config(), meta()).summary == "Command-line tool packaged from my-tool"
    assert resolve(dataclasses.replace(example_config(), description="Mine"), meta(summary="Theirs")).summary == "Mine"


def test_license_sources_in_order():
    assert resolve(example_config(), meta(license_expression="mit or apache-2.0")).license.spdx == "MIT OR Apache-2.0"
    assert resolve(example_config(), meta(license="BSD-3-Clause")).license.spdx == "BSD-3-Clause"
    bsd = meta(license="BSD", classifiers=("License :: OSI Approved :: BSD License",))
    assert resolve(example_config(), bsd).license == \
        License(name="BSD")  # ambiguous classifier: the declared name, not a guess
    assert resolve(dataclasses.replace(example_config(), license="0BSD"), meta(license="Custom")).license.spdx == "0BSD"
    long_text = "Copyright (c) 2020 Someone\n\nPermission is hereby granted..."
    assert resolve(example_config(), meta(license=long_text)).license == License()
    with pytest.raises(InputError, match="winget needs a license"):
        license_mapping.winget(License())


def test_commands_main_first_subset_and_errors():
    scripts = {"zz-admin": "t.admin:run", "my-tool": "t.cli:main", "aa": "t.a:main"}
    app = resolve(example_config(), meta(scripts=scripts))
    assert app.command_names == ["my-tool", "aa", "zz-admin"] and app.main.entry == "t.cli:main"
    subset = resolve(dataclasses.replace(example_config(), commands=("zz-admin",)), meta(scripts=scripts))
    assert subset.command_names == ["zz-admin"]
    with pytest.raises(InputError, match=r"tool.pkg.commands: 'nope' is not a command of my-tool \(it has: "):
        resolve(dataclasses.replace(example_config(), commands=("nope",)), meta(scripts=scripts))
    with pytest.raises(InputError, match="is not module:function"):
        resolve(example_config(), meta(scripts={"x": "justamodule"}))


def test_names_and_round_trip():
    app = resolve(example_config(), meta(name="My_Tool.Extra"))
    assert app.name == "my-tool-extra" and app.dist == "My_Tool.Extra"
    assert resolve(dataclasses.replace(example_config(), name="mt"), meta()).name == "mt"
    assert App.model_validate(app.model_dump()) == app


@pytest.mark.parametrize(("name", "likely"), [
    ("BSD", "BSD-3-Clause"), ("New BSD License", "BSD-3-Clause"), ("Simplified BSD", "BSD-2-Clause"),
    ("MIT License", "MIT"), ("Apache License, Version 2.0", "Apache-2.0"), ("GPLv3+", "GPL-3.0-or-later"),
    ("Public Domain", "LicenseRef-Public-Domain"), ("Proprietary", None),
])
def test_a_license_name_that_is_no_spdx_fails_check_naming_the_likely_id(name, likely):
    from pkg import check, pipeline

    assert license_mapping.likely(name) == likely
    app = resolve(example_config(), meta(license=name), ())
    assert app.license == License(name=name)
    hint = f'tool.pkg.license = "{likely}" if that is it' if likely else 'tool.pkg.license = "<SPDX expression>"'
    with pytest.raises(InputError, match=f"the license '{name}' is not an SPDX expression.*set {hint}".replace(
            "+", r"\+").replace("(", r"\(").replace(")", r"\)")):
        check.channels(example_config(), app, pipeline.BUILD + pipeline.RELEASE)


def test_author_fields_without_addresses_keep_whole_names():
    from pkg.project.metadata import _names

    assert _names("Jane Doe") == ("Jane Doe",)
    assert _names("A and B, C D") == ("A and B", "C D")
    assert _names("Jane Doe <j@x.org>, Bob <b@x.org>", "jane@x.org") == ("Jane Doe", "Bob")
