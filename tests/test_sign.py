"""Authenticode with the real osslsigncode and a throwaway self-signed certificate made by openssl.
Timestamping is off (SIGN_TIMESTAMP_URL="") because tests have no network."""

import hashlib
import struct
import subprocess
from pathlib import Path

import pytest

from pkg.channels import msi, sign
from pkg.core import config, version
from pkg.core.errors import InputError, PkgError
from tests.fixtures import example_app

CFG = config.load()
APP = example_app()
PASSWORD = "correct horse"


def minimal_pe() -> bytes:
    """The smallest PE32+ image osslsigncode accepts (one .text section holding `ret`)."""
    dos = bytearray(64)
    dos[0:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, 64)  # e_lfanew: the PE header follows at 64
    coff = struct.pack("<HHIIIHH", 0x8664, 1, 0, 0, 0, 240, 0x22)  # AMD64, 1 section, executable
    optional = struct.pack("<HBBIIIIIQIIHHHHHHIIIIHHQQQQII", 0x20B, 14, 0, 0x200, 0, 0, 0x1000, 0x1000,
                           0x140000000, 0x1000, 0x200, 6, 0, 0, 0, 6, 0, 0, 0x2000, 0x200, 0, 3, 0x8160,
                           0x100000, 0x1000, 0x100000, 0x1000, 0, 16) + bytes(16 * 8)
    section = struct.pack("<8sIIIIIIHHI", b".text", 0x1000, 0x1000, 0x200, 0x200, 0, 0, 0, 0, 0x60000020)
    head = bytes(dos) + b"PE\0\0" + coff + optional + section
    return head + bytes(0x200 - len(head)) + b"\xc3" + bytes(0x1FF)


@pytest.fixture(scope="module")
def cert(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("cert")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(d / "key.pem"), "-out", str(d / "cert.pem"), "-subj", "/CN=Tailor Test Signer",
                    "-addext", "extendedKeyUsage=codeSigning", "-addext", "keyUsage=digitalSignature"],
                   check=True, capture_output=True)
    subprocess.run(["openssl", "pkcs12", "-export", "-inkey", str(d / "key.pem"), "-in", str(d / "cert.pem"),
                    "-out", str(d / "cert.pfx"), "-passout", f"pass:{PASSWORD}"], check=True, capture_output=True)
    return {"pem": d / "cert.pem", "key": d / "key.pem", "pfx": d / "cert.pfx"}


def verify(path: Path, ca: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["osslsigncode", "verify", "-CAfile", str(ca), "-in", str(path)],
                          capture_output=True, text=True)


def windows_folder(root: Path) -> Path:
    folder = root / "tailor-windows-x86_64"
    (folder / "lib").mkdir(parents=True)
    (folder / "tailor.exe").write_bytes(minimal_pe())
    (folder / "lib" / "helper.dll").write_bytes(b"not a PE, and DLLs are not signed")
    return folder


def test_unsigned_by_default():
    assert sign.from_env(APP, {}) is None
    assert sign.from_env(APP, {"SIGN_CERT": "  "}) is None


def test_env_settings(cert, tmp_path):
    pfx = sign.from_env(APP, {"SIGN_CERT": str(cert["pfx"]), "SIGN_PASSWORD": PASSWORD})
    assert pfx.pkcs12 and pfx.password == PASSWORD and pfx.timestamp_url == sign.DEFAULT_TIMESTAMP_URL
    pem = sign.from_env(APP, {"SIGN_CERT": str(cert["pem"]), "SIGN_KEY": str(cert["key"]), "SIGN_TIMESTAMP_URL": ""})
    assert not pem.pkcs12 and pem.key == cert["key"] and pem.timestamp_url is None
    for env, message in (({"SIGN_CERT": str(tmp_path / "gone.pfx")}, "no such file"),
                         ({"SIGN_CERT": str(cert["pem"])}, "SIGN_KEY"),
                         ({"SIGN_CERT": str(cert["pem"]), "SIGN_KEY": str(tmp_path / "k")}, "no such file"),
                         ({"SIGN_CERT": str(cert["pfx"]), "SIGN_KEY": str(cert["key"])}, "already holds")):
        with pytest.raises(InputError, match=message):
            sign.from_env(APP, env)


def test_signed_msi_verifies(cert, tmp_path, monkeypatch):
    folder = windows_folder(tmp_path)
    before = hashlib.sha256((folder / "tailor.exe").read_bytes()).hexdigest()
    monkeypatch.setenv("SIGN_CERT", str(cert["pfx"]))
    monkeypatch.setenv("SIGN_PASSWORD", PASSWORD)
    monkeypatch.setenv("SIGN_TIMESTAMP_URL", "")
    out = tmp_path / "out dir" / "tailor.msi"
    fields = msi.build_msi(CFG, APP, folder, version.parse("1.0.0"), out)  # the signer comes from the environment
    assert fields.signed is True
    result = verify(out, cert["pem"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Signature verification: ok" in result.stdout and "Tailor Test Signer" in result.stdout
    assert msi.product_code(out) == fields.product_code  # still a readable MSI
    # The .exe inside was signed too (in a copy: the build folder is left as it was).
    subprocess.run(["msiextract", "-C", str(tmp_path / "x"), str(out)], check=True, capture_output=True)
    assert verify(tmp_path / "x" / APP.name / "tailor.exe", cert["pem"]).returncode == 0
    assert hashlib.sha256((folder / "tailor.exe").read_bytes()).hexdigest() == before
    # An unsigned MSI does not pass.
    unsigned = tmp_path / "unsigned.msi"
    monkeypatch.delenv("SIGN_CERT")
    assert msi.build_msi(CFG, APP, folder, version.parse("1.0.0"), unsigned).signed is False
    assert verify(unsigned, cert["pem"]).returncode != 0


def test_pem_signing_of_an_exe(cert, tmp_path):
    exe = tmp_path / "tool.exe"
    exe.write_bytes(minimal_pe())
    signer = sign.from_env(APP, {"SIGN_CERT": str(cert["pem"]), "SIGN_KEY": str(cert["key"]),
                                 "SIGN_TIMESTAMP_URL": ""})
    sign.sign_file(signer, exe)
    assert verify(exe, cert["pem"]).returncode == 0
    assert [p.name for p in tmp_path.iterdir()] == ["tool.exe"]  # no staging file left behind


def test_signing_failures_are_one_line_and_leave_the_file(cert, tmp_path):
    exe = tmp_path / "tool.exe"
    exe.write_bytes(minimal_pe())
    wrong = sign.from_env(APP, {"SIGN_CERT": str(cert["pfx"]), "SIGN_PASSWORD": "wrong",
                                "SIGN_TIMESTAMP_URL": ""})
    with pytest.raises(PkgError, match=r"tool.exe: signing failed: .*Wrong password") as err:
        sign.sign_file(wrong, exe)
    assert "\n" not in str(err.value)
    assert exe.read_bytes() == minimal_pe()
    assert [p.name for p in tmp_path.iterdir()] == ["tool.exe"]
    notpe = tmp_path / "tool.exe"
    notpe.write_bytes(b"not a PE file")
    with pytest.raises(PkgError, match="unsupported input file type"):
        sign.sign_file(sign.from_env(APP, {"SIGN_CERT": str(cert["pfx"]), "SIGN_PASSWORD": PASSWORD,
                                           "SIGN_TIMESTAMP_URL": ""}), notpe)
    assert notpe.read_bytes() == b"not a PE file"
