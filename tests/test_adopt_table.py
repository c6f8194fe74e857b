"""The README's adoption table written from `make test-adopt`'s results (tests/adopt_table.py)."""

import pytest

from tests import adopt_table

RESULT = {
    "app": "rsa", "adopted": "packaging repository, `make init` alone", "version": "4.9.1",
    "covers": "six optparse commands | none with --version", "backend": "poetry.core.masonry.api",
    "commands": {f"pyrsa-{c}": "" for c in ("decrypt", "encrypt", "keygen", "priv2pub", "sign", "verify")},
    "checks": [], "tools": [], "layout": "flat", "build_s": 55.4, "release_s": 48.2, "folder_mib": 40.5,
    "archive_mib": 15.3, "compiled_modules": 15,
    "bench": {"version": {"nuitka-standalone": 38.0, "python": 33.0, "ratio": 1.15,
                          "instructions": {"nuitka-standalone": 61e6, "python": 80e6, "ratio": 0.7625}},
              "help": {"nuitka-standalone": 37.1, "python": 32.7, "ratio": 1.13,
                       "instructions": {"nuitka-standalone": 61e6, "python": 80e6, "ratio": 0.7625}},
              "commands": {"version": ["pyrsa-decrypt", "--help"], "help": ["pyrsa-decrypt", "--help"]}},
}
README = f"""# x

{adopt_table.BEGIN}
| app | old header |
|---|---|
| tabulate 0.10.0 | setuptools | kept as it was |
| rsa 4.9.0 | poetry-core | replaced |
{adopt_table.END}

after
"""


def test_rows_are_rewritten_from_results_and_other_apps_kept():
    text = adopt_table.table(README, [RESULT, {**RESULT, "app": "newapp", "adopted": "drop-in"}])
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows[0] == adopt_table.HEADER and len(rows) == 4
    assert rows[1] == "| tabulate 0.10.0 | setuptools | kept as it was |"
    assert rows[2] == ("| rsa 4.9.1 (`make init` alone) | poetry-core | six optparse commands \\| none with --version "
                       "| flat | 6: pyrsa-decrypt … pyrsa-verify | 55 s (15 modules to C) | 48 s | 40.5 MiB | 15.3 MiB "
                       "| 37 / 33 ms = 1.13× | `--help` 61 / 80 M = 0.76× | the generic checks only | none |")
    assert rows[3].startswith("| newapp 4.9.1 (drop-in) |")
    assert text.endswith(f"{adopt_table.END}\n\nafter\n")


def test_both_commands_are_shown_when_the_app_has_a_version():
    bench = {**RESULT["bench"], "commands": {"version": ["x", "--version"], "help": ["x", "--help"]}}
    assert adopt_table.instructions(bench) == "`--version` 61 / 80 M = 0.76×; `--help` 61 / 80 M = 0.76×"


def test_a_readme_without_the_markers_is_refused():
    with pytest.raises(SystemExit, match="no adoption table"):
        adopt_table.table("# nothing here\n", [RESULT])
