"""macOS signing and notarization (pkg/compile/macos_sign.py). No macOS here: which files are signed and in which
order is decided on synthesised Mach-O files (tests/test_portability.py's headers); the commands are checked
as data (hardened runtime, timestamp, no secret in argv); the stages skip, saying why, without secrets."""

import json
from pathlib import Path

import pytest

from pkg.compile import macos_sign
from pkg.core.errors import InputError, PkgError
from pkg.core.targets import Target

from .test_portability import CPU_ARM64, CPU_X86_64, build_version, fat, thin

SECRET = "correct horse battery staple"
ENV = {"MACOS_SIGN_IDENTITY": "Developer ID Application: Example (TEAM123456)", "MACOS_CERT_P12_BASE64": "AAAA",
       "MACOS_CERT_PASSWORD": SECRET, "APPLE_API_KEY_BASE64": "AAAA", "APPLE_API_KEY_ID": "KEY1234567",
       "APPLE_API_ISSUER": "69a6de7e-0000-0000-0000-000000000000"}


def macos_folder(root: Path) -> Path:
    folder = root / "mytool-macos-arm64"
    image = thin(build_version("11.0"))
    files = {"lib/mytool.bin": image, "lib/python3.11/lib-dynload/_ssl.cpython-311-darwin.so": image,
             "lib/libcrypto.3.dylib": fat((CPU_X86_64, thin(build_version("10.13"), cpu=CPU_X86_64)),
                                          (CPU_ARM64, image)),
             "lib/data.txt": b"not code", "lib/script.sh": b"#!/bin/sh\n",
             "lib/Foo.class": b"\xca\xfe\xba\xbe\x00\x00\x00\x34"}  # Java's magic is fat Mach-O's
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    (folder / "mytool").symlink_to("lib/mytool.bin")
    return folder


def test_every_macho_is_signed_deepest_first_and_nothing_else(tmp_path):
    folder = macos_folder(tmp_path)
    signed = [p.relative_to(folder).as_posix() for p in macos_sign.to_sign(folder)]
    assert signed == ["lib/python3.11/lib-dynload/_ssl.cpython-311-darwin.so", "lib/libcrypto.3.dylib",
                      "lib/mytool.bin"]  # no data, script, Java class or link; nested code before its loader


def test_codesign_uses_the_hardened_runtime_and_a_timestamp(tmp_path):
    step = macos_sign.codesign_step(ENV["MACOS_SIGN_IDENTITY"], tmp_path / "k", [tmp_path / "a"])
    assert step.argv[:6] == ["codesign", "--force", "--options", "runtime", "--timestamp", "--keychain"]
    assert step.argv[-3:] == ["--sign", ENV["MACOS_SIGN_IDENTITY"], str(tmp_path / "a")]


def test_no_secret_reaches_a_command_line(tmp_path):
    steps = macos_sign.keychain_steps(tmp_path / "id.p12", tmp_path, "one-run-password")
    steps += macos_sign.notarize_steps(tmp_path / "folder", tmp_path / "f.zip", tmp_path / "key.p8", ENV)
    for step in steps:
        text = " ".join(step.argv)
        assert SECRET not in text and "one-run-password" not in text and ENV["APPLE_API_KEY_BASE64"] not in text
    assert "-passin env:MACOS_CERT_PASSWORD" in steps[0].argv[2]
    submit = steps[-1].argv
    assert submit[:3] == ["xcrun", "notarytool", "submit"] and "--wait" in submit and "--key" in submit


def test_the_notary_verdict_is_checked():
    assert macos_sign.notary_verdict(json.dumps({"id": "abc", "status": "Accepted"})) == "abc"
    with pytest.raises(PkgError, match=r"notarization Invalid \(submission abc\): `xcrun notarytool log abc`"):
        macos_sign.notary_verdict(json.dumps({"id": "abc", "status": "Invalid"}))
    with pytest.raises(PkgError, match="no JSON"):
        macos_sign.notary_verdict("Error: HTTP 401")


class Ctx:
    def __init__(self, os_name: str):
        self.target = Target(os_name, "arm64")


def test_the_stages_skip_saying_why(monkeypatch):
    for key in ENV:
        monkeypatch.delenv(key, raising=False)
    assert "macOS builds" in macos_sign.SIGN.skip(Ctx("linux"))
    assert "MACOS_SIGN_IDENTITY is not set" in macos_sign.SIGN.skip(Ctx("macos"))
    for key in macos_sign.SIGN_KEYS:
        monkeypatch.setenv(key, ENV[key])
    assert macos_sign.SIGN.skip(Ctx("macos")) is None
    assert "not notarized" in macos_sign.NOTARIZE.skip(Ctx("macos"))
    monkeypatch.setenv("APPLE_API_KEY_ID", "KEY1234567")  # one of three: a mistake, said at once
    with pytest.raises(InputError, match="APPLE_API_KEY_ID set but not APPLE_API_KEY_BASE64, APPLE_API_ISSUER"):
        macos_sign.NOTARIZE.skip(Ctx("macos"))


def test_signing_comes_before_the_archive_and_notarization_after_it():
    from pkg.compile import record
    from pkg.pipeline import BUILD

    order = [stage.name for stage in BUILD]
    assert order.index("commands") < order.index("sign-macos") < order.index(record.ARCHIVE.name) \
        < order.index("notarize") < order.index(record.RECORD.name)
