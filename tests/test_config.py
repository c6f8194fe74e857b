"""pyproject.toml → Config, and one-line errors naming the bad key."""

import re
import shutil
from pathlib import Path

import pytest

from pkg import config
from pkg.errors import InputError

from .conftest import ROOT


def test_the_repository_config_loads():
    cfg = config.load()
    assert cfg.app == "tailor" and cfg.entry == "tailor"
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", cfg.version)
    assert cfg.entry_dir == ROOT / "app" / "tailor"
    assert "tailor" in cfg.nuitka.include_packages
    assert cfg.download_url("0.2.0", "x.zip").endswith("/v0.2.0/x.zip")
    assert cfg.upgrade_code == cfg.upgrade_code.upper() and len(cfg.upgrade_code) == 36


def load_with(tmp_path: Path, old: str, new: str) -> config.Config:
    text = (ROOT / "pyproject.toml").read_text()
    assert old in text, old
    (tmp_path / "pyproject.toml").write_text(text.replace(old, new, 1))
    return config.load(tmp_path)


@pytest.mark.parametrize("old,new,message", [
    ('app = "tailor"', "", r"tool\.pkg\.app is missing"),
    ('app = "tailor"', 'app = "Tai lor"', r"tool\.pkg\.app must be"),
    ('entry = "tailor"', 'entry = "../x"', r"tool\.pkg\.entry must be a dotted module name"),
    ('publisher = "Tailor Project"', "publisher = 3", r"tool\.pkg\.publisher must be a non-empty string"),
    ('upgrade-code = "', 'upgrade-code = "nope', r"tool\.pkg\.upgrade-code must be a GUID"),
    ("url-template = ", "url-template = 'https://x/{file}' #", r"tool\.pkg\.url-template must contain"),
    ("[tool.pkg.startup]", "[tool.pkg.startup]\nbogus-ms = 1", r"tool\.pkg\.startup\.bogus-ms is not a known key"),
    ("version-ms = 500", "version-ms = -1", r"tool\.pkg\.startup\.version-ms must be a positive number"),
    ('flags = ["--windows-console-mode=force"]', 'flags = ["--onefile"]', r"is set by the pipeline"),
    ('flags = ["--windows-console-mode=force"]', 'flags = "--x"', r"windows\.flags must be a list of strings"),
    ('description = "', 'descriptio = "', r"project\.description is missing"),
])
def test_bad_keys_give_one_line_errors(tmp_path, old, new, message):
    with pytest.raises(InputError, match=message) as info:
        load_with(tmp_path, old, new)
    assert "\n" not in str(info.value)
    assert info.value.exit_code == 2


def test_missing_and_broken_files(tmp_path):
    with pytest.raises(InputError, match="not found"):
        config.load(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[project\n")
    with pytest.raises(InputError, match="invalid TOML"):
        config.load(tmp_path)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    text = (tmp_path / "pyproject.toml").read_text().replace("\n[tool.pkg]\n", "\n[tool.other]\n", 1)
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(InputError, match=r"tool\.pkg\.app is missing"):  # [tool.pkg.nuitka] still there
        config.load(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    with pytest.raises(InputError, match=r"\[tool\.pkg\] table is missing"):
        config.load(tmp_path)
