"""Authenticode with the real osslsigncode (`osslsigncode verify` on every signed file) and a throwaway
self-signed certificate made by openssl, on real PE programs (mingw-w64). Timestamping is off
(SIGN_TIMESTAMP_URL="") because tests have no network."""

import os
import struct
import subprocess
from pathlib import Path

import pytest

from pkg.channels import msi, msi_runner
from pkg.compile import sign
from pkg.compile.context import BuildContext
from pkg.core import archive, model, names, targets, version
from pkg.core.errors import InputError, PkgError
from pkg.core.model import Kind
from tests.fixtures import example_app, multi_app
from tests.fixtures_windows import TARGET, windows_build, windows_dist

from .conftest import example_config

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


def sign_env(cert: dict[str, Path], monkeypatch) -> None:
    monkeypatch.setenv("SIGN_CERT", str(cert["pfx"]))
    monkeypatch.setenv("SIGN_PASSWORD", PASSWORD)
    monkeypatch.setenv("SIGN_TIMESTAMP_URL", "")


def build_context(folder: Path, target: str = TARGET) -> BuildContext:
    ctx = BuildContext(example_config(), targets.parse(target), folder.parent, folder.parent / "work", planned=APP)
    ctx.built = folder
    return ctx


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


def test_the_build_signs_programs_before_archiving_so_zip_msi_and_sbom_agree(cert, tmp_path, monkeypatch):
    """Stage `sign` runs before `place` and `archive`: the zip holds the signed programs, the MSI harvested
    from that zip holds the same bytes, and the MSI itself is signed after it is built."""
    app = multi_app()
    folder = windows_build(tmp_path / "build", app, "1.0.0", {"lib/data.txt": "payload"})
    ctx = build_context(folder)
    assert sign.STAGE.skip(ctx) == "SIGN_CERT is not set: the programs stay unsigned"
    sign_env(cert, monkeypatch)
    assert sign.STAGE.skip(build_context(folder, "linux-x86_64")) == "Authenticode is for Windows builds"
    assert sign.STAGE.skip(ctx) is None
    sign.STAGE.run(ctx)
    programs = sign.programs(folder)
    assert [p.name for p in programs] == ["mytool-admin.exe", "mytool.exe"]
    for program in programs:
        assert verify(program, cert["pem"]).returncode == 0
    zipped = archive.create(folder, tmp_path / "mytool-windows-x86_64.zip", archive.ZIP_EPOCH_MIN)
    unzipped = archive.extract(zipped, tmp_path / "from zip")
    out = tmp_path / "out dir" / "mytool.msi"
    # the signer comes from the environment
    facts = msi.build_msi(example_config(), app, unzipped, version.parse("1.0.0"), out)
    assert facts.signed is True and msi.product_code(out) == facts.product_code
    result = verify(out, cert["pem"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Signature verification: ok" in result.stdout and "Tailor Test Signer" in result.stdout
    subprocess.run(["msiextract", "-C", str(tmp_path / "x"), str(out)], check=True, capture_output=True)
    for program in programs:  # byte for byte what the zip holds, and what was signed
        assert (tmp_path / "x" / app.name / program.name).read_bytes() == program.read_bytes()
        assert (unzipped / program.name).read_bytes() == program.read_bytes()
    # An MSI built unsigned does not pass.
    monkeypatch.delenv("SIGN_CERT")
    unsigned = tmp_path / "unsigned.msi"
    assert msi.build_msi(example_config(), app, unzipped, version.parse("1.0.0"), unsigned).signed is False
    assert verify(unsigned, cert["pem"]).returncode != 0


def test_the_runner_msi_is_signed_when_recorded(cert, tmp_path, monkeypatch):
    """scripts/msi.ps1 hands the MSI WiX built to `--record`, which signs it (osslsigncode here, signtool
    on the runner): neither WiX nor PowerShell sees the password."""
    dist = windows_dist(tmp_path / "dist", windows_build(tmp_path / "dist", APP, APP.version), APP, zipped=False)
    staged = tmp_path / "staging" / names.msi(APP.name)
    msi.build_msi(example_config(), APP, dist / names.stem(APP.name, TARGET), version.parse(APP.version), staged,
                  signer=None)
    assert verify(staged, cert["pem"]).returncode != 0
    sign_env(cert, monkeypatch)
    final = msi_runner.record_windows(example_config(), APP, dist, version.parse(APP.version), staged,
                               msi.product_code(staged))
    assert verify(final, cert["pem"]).returncode == 0
    assert model.find_build(dist, TARGET)[1].select(Kind.MSI)[0].msi.signed is True


@pytest.mark.parametrize("kind", ["pfx", "pem"])
def test_signtool_keeps_the_password_off_every_command_line(cert, tmp_path, kind):
    """The Windows runner's signtool path (a stand-in: neither signtool nor PowerShell exists here). The
    password travels in the environment of the step that needs it, never in an argument; the openssl
    step of a PEM certificate runs for real and gives a bundle osslsigncode signs with."""
    env = {"SIGN_CERT": str(cert[kind]), "SIGN_PASSWORD": PASSWORD, "SIGN_TIMESTAMP_URL": ""}
    if kind == "pem":
        env["SIGN_KEY"] = str(cert["key"])
    signer = sign.from_env(APP, env)
    files = [tmp_path / "a.exe", tmp_path / "b.msi"]
    steps = [*sign.import_steps(signer, tmp_path), sign.signtool_step(signer, files, "AB" * 20),
             sign.remove_step("AB" * 20)]
    for step in steps:
        assert not any(PASSWORD in arg for arg in step.argv), step.argv
    assert [s.argv[0] for s in steps] == (["openssl"] if kind == "pem" else []) + ["powershell", "signtool",
                                                                                  "powershell"]
    assert steps[-2].argv[-2:] == [str(f) for f in files] and "/f" not in steps[-2].argv and "/p" not in steps[-2].argv
    assert all(step.env.get("PKG_SIGN_PASSWORD") == PASSWORD for step in steps[:-2])
    if kind == "pem":  # the conversion, run for real
        done = subprocess.run(steps[0].argv, env={**os.environ, **steps[0].env}, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        exe = tmp_path / "tool.exe"
        exe.write_bytes(minimal_pe())
        converted = sign.from_env(APP, {"SIGN_CERT": str(tmp_path / "signer.pfx"), "SIGN_PASSWORD": PASSWORD,
                                        "SIGN_TIMESTAMP_URL": ""})
        sign.sign_file(converted, exe)
        assert verify(exe, cert["pem"]).returncode == 0


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
    with pytest.raises(PkgError, match=r"tool.exe: signing failed \(exit \d+\): .*Wrong password") as err:
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
