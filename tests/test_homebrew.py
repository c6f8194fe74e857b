"""The Homebrew formula: `ruby -c`, then evaluated in real Ruby against a stand-in of the Formula DSL.

brew cannot run here (no Homebrew, no macOS), so FAKE_BREW below is a FAKE of the few DSL methods the
formula uses. The platform is chosen by FAKE_OS/FAKE_ARCH, so each of the four platforms is evaluated;
`def install` and `test do` really run (files move into a temporary prefix, the test block runs the
installed fake program), which proves the install works from inside the archive's single top folder.
"""

import dataclasses
import json
import os
import subprocess
from pathlib import Path

import pytest

from pkg.channels import homebrew
from pkg.core import archive
from pkg.core.errors import InputError
from pkg.core.model import Kind, License
from pkg.project import license_mapping
from tests.fixtures import multi_app
from tests.fixtures_release import make_release, run

from .conftest import example_config

FAKE_BREW = r'''
# FAKE stand-in for Homebrew's Formula DSL (brew is not available here): records declarations for the
# platform named by FAKE_OS (macos|linux) and FAKE_ARCH (arm|intel), and performs install for real.
require "fileutils"
require "json"

class FakePath
  def initialize(path, log)
    @path = path
    @log = log
  end

  def /(other) = FakePath.new(File.join(@path, other.to_s), @log)
  def to_s = @path

  def install(*sources)
    names = sources.flatten.map(&:to_s)
    @log << ["install", @path, names.sort]
    FileUtils.mkdir_p(@path)
    names.each { |name| FileUtils.mv(name, @path) }
  end

  def install_symlink(*targets)
    @log << ["install_symlink", @path, targets.map(&:to_s)]
    FileUtils.mkdir_p(@path)
    targets.each { |t| File.symlink(t.to_s, File.join(@path, File.basename(t.to_s))) }
  end
end

class Formula
  @@defined = []

  class << self
    attr_reader :spec, :test_block

    def inherited(sub)
      super
      @@defined << sub
      sub.instance_variable_set(:@spec, { "url" => [], "sha256" => [], "depends_on" => [] })
    end

    def defined = @@defined

    %w[desc homepage version license].each do |name|
      define_method(name) { |value| @spec[name] = value }
    end

    def url(value) = @spec["url"] << value
    def sha256(value) = @spec["sha256"] << value
    def depends_on(value) = @spec["depends_on"] << value.to_s
    def on_macos = (yield if ENV.fetch("FAKE_OS") == "macos")
    def on_linux = (yield if ENV.fetch("FAKE_OS") == "linux")
    def on_arm = (yield if ENV.fetch("FAKE_ARCH") == "arm")
    def on_intel = (yield if ENV.fetch("FAKE_ARCH") == "intel")

    def livecheck(&block)
      calls = {}
      recorder = Object.new
      %w[url strategy skip].each do |name|
        recorder.define_singleton_method(name) { |value| calls[name] = value.to_s }
      end
      recorder.instance_eval(&block)
      @spec["livecheck"] = calls
    end

    def test(&block)
      @test_block = block
    end
  end

  attr_reader :log

  def initialize(prefix)
    @prefix = prefix
    @log = []
  end

  def libexec = FakePath.new(File.join(@prefix, "libexec"), @log)
  def bin = FakePath.new(File.join(@prefix, "bin"), @log)
  # Homebrew's places for completions and man pages (Formula#bash_completion etc.), below the keg.
  def bash_completion = FakePath.new(File.join(@prefix, "etc/bash_completion.d"), @log)
  def zsh_completion = FakePath.new(File.join(@prefix, "share/zsh/site-functions"), @log)
  def fish_completion = FakePath.new(File.join(@prefix, "share/fish/vendor_completions.d"), @log)
  (1..8).each { |n| define_method("man#{n}") { FakePath.new(File.join(@prefix, "share/man/man#{n}"), @log) } }
  def version = self.class.spec.fetch("version")

  def shell_output(cmd)
    out = `#{cmd}`
    @log << ["shell_output", cmd, out, $?.exitstatus]
    raise "#{cmd} exited #{$?.exitstatus}" unless $?.success?
    out
  end

  def system(*cmd)
    ok = Kernel.system(*cmd.map(&:to_s), out: File::NULL)
    @log << ["system", cmd.map(&:to_s), ok]
    raise "#{cmd.join(" ")} failed" unless ok
  end

  def assert_match(expected, actual)
    @log << ["assert_match", expected.to_s, actual]
    raise "assert_match: #{expected.inspect} not in #{actual.inspect}" unless actual.include?(expected.to_s)
  end
end

formula_path, unpacked, prefix = ARGV
load formula_path
klass = Formula.defined.last
formula = klass.new(prefix)
Dir.chdir(unpacked) { formula.install } if unpacked != "-"
formula.instance_eval(&klass.test_block) if unpacked != "-"
puts JSON.generate({ "class" => klass.name, "spec" => klass.spec, "log" => formula.log })
'''

PLATFORMS = [("macos", "arm", "macos-arm64"), ("macos", "intel", "macos-x86_64"),
             ("linux", "arm", "linux-arm64"), ("linux", "intel", "linux-x86_64")]


@pytest.fixture(scope="module")
def cfg():
    return example_config()


def formula_of(ctx) -> Path:
    """Run the stage; the formula it wrote into the release."""
    assert run(homebrew.STAGE, ctx) is None
    return ctx.folder / ctx.manifest.select(Kind.FORMULA)[0].path


def evaluate(tmp_path: Path, formula: Path, os_name: str, arch: str, archive_path: Path | None = None) -> dict:
    script = tmp_path / "fake_brew.rb"
    script.write_text(FAKE_BREW)
    unpacked, prefix = "-", str(tmp_path / "prefix")
    if archive_path is not None:
        work = tmp_path / f"unpack-{os_name}-{arch}"
        work.mkdir()
        unpacked = str(archive.extract(archive_path, work))  # brew stands inside the single top folder
        prefix = str(tmp_path / f"prefix-{os_name}-{arch}")
    out = subprocess.run(["ruby", str(script), str(formula), unpacked, prefix], capture_output=True, text=True,
                         env={**os.environ, "FAKE_OS": os_name, "FAKE_ARCH": arch})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_formula_is_valid_ruby_in_both_places(tmp_path, cfg):
    ctx = make_release(tmp_path, cfg)
    formula = formula_of(ctx)
    artifact = ctx.manifest.select(Kind.FORMULA)[0]
    assert formula == ctx.folder / "tailor.rb" and artifact.copies == ["homebrew/Formula/tailor.rb"]
    assert (tmp_path / artifact.copies[0]).read_text() == formula.read_text()
    assert artifact.url.endswith("/tailor.rb") and artifact.sha256
    check = subprocess.run(["ruby", "-c", str(formula)], capture_output=True, text=True)
    assert check.returncode == 0 and "Syntax OK" in check.stdout, check.stderr


@pytest.mark.parametrize(("os_name", "arch", "target"), PLATFORMS)
def test_each_platform_selects_its_archive_and_installs(tmp_path, cfg, os_name, arch, target):
    ctx = make_release(tmp_path, cfg)
    formula = formula_of(ctx)
    art = next(a for a in ctx.manifest.select(Kind.ARCHIVE) if a.target == target)
    result = evaluate(tmp_path, formula, os_name, arch, ctx.folder / art.path)
    spec = result["spec"]
    assert result["class"] == "Tailor"
    assert spec["url"] == [art.url] and spec["sha256"] == [art.sha256]
    assert spec["desc"] == ctx.app.summary and spec["homepage"] == ctx.app.homepage and spec["license"] == "MIT"
    assert spec["version"] == "0.2.0" and spec["depends_on"] == []
    assert spec["livecheck"] == {"url": "stable", "strategy": "github_latest"}
    prefix = tmp_path / f"prefix-{os_name}-{arch}"
    install, link, started, match = result["log"]
    assert install == ["install", f"{prefix}/libexec", ["lib", "tailor"]]
    assert link == ["install_symlink", f"{prefix}/bin", [f"{prefix}/libexec/tailor"]]
    assert started[1] == f"{prefix}/bin/tailor --version" and started[2] == "tailor 0.2.0\n" and started[3] == 0
    assert match[1] == "0.2.0"


def test_missing_targets_leave_their_blocks_out(tmp_path, cfg):
    ctx = make_release(tmp_path, cfg, targets=("linux-x86_64", "windows-x86_64"))
    formula = formula_of(ctx)
    text = formula.read_text()
    assert "on_macos" not in text and "on_arm" not in text and "depends_on :linux" in text
    linux = ctx.manifest.select(Kind.ARCHIVE, "linux")[0]
    assert evaluate(tmp_path, formula, "linux", "intel")["spec"]["url"] == [linux.url]
    mac = evaluate(tmp_path, formula, "macos", "arm")["spec"]
    assert mac["url"] == [] and mac["depends_on"] == ["linux"]


def with_summary(ctx, summary: str):
    ctx.inputs.app = ctx.app.model_copy(update={"summary": summary})
    return ctx


def test_ruby_strings_are_quoted_exactly(tmp_path, cfg):
    tricky = 'Tails "logs" from C:\\logs, #{not_code} #@ivar #$gvar and 100% $HOME'
    assert homebrew.desc_problem(tricky, "tailor") is None
    formula = formula_of(with_summary(make_release(tmp_path, cfg), tricky))
    assert subprocess.run(["ruby", "-c", str(formula)], capture_output=True).returncode == 0
    assert evaluate(tmp_path, formula, "linux", "intel")["spec"]["desc"] == tricky
    with pytest.raises(InputError, match="control characters"):
        homebrew.ruby_string("two\nlines")


@pytest.mark.parametrize(("desc", "rule"), [
    ("Tailor tails logs", "must not start with the formula name"),
    ("Tails logs " + "x" * 80, "must be at most 80 characters"),
    ("Command line log tailer", 'must say "command-line"'),
    ("Tails logs \N{BLACK STAR}", "must not contain emoji"),
])
def test_desc_rules_that_cannot_be_mapped_fail_and_write_nothing(tmp_path, cfg, desc, rule):
    ctx = with_summary(make_release(tmp_path, cfg), desc)
    with pytest.raises(InputError, match=f"{rule}.*set tool.pkg.description") as exc:
        run(homebrew.STAGE, ctx)
    assert "\n" not in str(exc.value)
    assert not (tmp_path / "homebrew").exists() and not (ctx.folder / "tailor.rb").exists()
    with pytest.raises(InputError, match=rule):  # and `make check` says so before any build
        homebrew.STAGE.refuse(cfg, ctx.app)


@pytest.mark.parametrize(("summary", "desc"), [
    ("A tool that tails logs", "Tool that tails logs"),
    ("the log tailer", "Log tailer"),
    ("Tails logs by level.", "Tails logs by level"),
    ("tails logs by level", "Tails logs by level"),
    ("Tails logs, metrics, etc.", "Tails logs, metrics, etc."),
])
def test_desc_rules_that_can_be_mapped_are_mapped(summary, desc):
    app = multi_app().model_copy(update={"summary": summary})
    assert homebrew.desc(app) == desc and homebrew.desc_problem(desc, app.name) is None


def test_desc_rules_accept_good_descriptions():
    for desc in ("Tail log files filtered and coloured by severity level", "macOS log tailer",
                 "Tails logs, metrics, etc.", "Tailoring kit for logs", "X" * 80):
        assert homebrew.desc_problem(desc, "tailor") is None, desc
    assert homebrew.desc_problem("Tai-lor log tool", "tailor") is not None  # brew's name regex allows - or space


def test_a_prerelease_is_never_published(tmp_path, cfg):
    ctx = make_release(tmp_path, cfg, "0.2.0rc1")
    assert run(homebrew.STAGE, ctx) == "0.2.0rc1 is a pre-release: package managers only get stable releases"
    assert not (tmp_path / "homebrew").exists() and not ctx.manifest.select(Kind.FORMULA)


def test_no_unix_archive_writes_nothing(tmp_path, cfg):
    ctx = make_release(tmp_path, cfg, targets=("windows-x86_64",))
    assert run(homebrew.STAGE, ctx) == "no macOS or Linux archive in this release"


def test_class_names_and_non_github_livecheck(tmp_path, cfg):
    assert homebrew.class_name("foo-bar_baz") == "FooBarBaz"
    with pytest.raises(InputError, match="no valid Homebrew class name"):
        homebrew.class_name("7zip")
    other = dataclasses.replace(cfg, url_template="https://downloads.example.org/{version}/{file}")
    formula = formula_of(make_release(tmp_path, other))
    assert evaluate(tmp_path, formula, "macos", "arm")["spec"]["livecheck"] == {
        "skip": "no version feed known for downloads.example.org"}


def test_every_command_is_linked_and_the_license_expression_is_homebrew_dsl(tmp_path, cfg):
    app = multi_app()
    ctx = make_release(tmp_path, cfg, app=app)
    formula = formula_of(ctx)
    assert formula.name == "mytool.rb" and 'license any_of: ["MIT", "Apache-2.0"]' in formula.read_text()
    art = ctx.manifest.select(Kind.ARCHIVE, "linux")[1]  # linux-x86_64 (target order)
    assert art.target == "linux-x86_64"
    result = evaluate(tmp_path, formula, "linux", "intel", ctx.folder / art.path)
    assert result["class"] == "Mytool" and result["spec"]["license"] == {"any_of": ["MIT", "Apache-2.0"]}
    prefix = tmp_path / "prefix-linux-intel"
    links = [entry for entry in result["log"] if entry[0] == "install_symlink"]
    assert [entry[2] for entry in links] == [[f"{prefix}/libexec/mytool"], [f"{prefix}/libexec/mytool-admin"]]
    for name in app.command_names:  # each link starts the program under its own name
        out = subprocess.run([str(prefix / "bin" / name)], capture_output=True, text=True)
        assert out.stdout == f"{name} 0.2.0\n"


@pytest.mark.parametrize(("spdx", "ruby"), [
    ("MIT", '"MIT"'),
    ("MIT AND (Apache-2.0 OR BSD-3-Clause)", 'all_of: ["MIT", { any_of: ["Apache-2.0", "BSD-3-Clause"] }]'),
    ("GPL-2.0-only WITH Classpath-exception-2.0", '"GPL-2.0-only" => { with: "Classpath-exception-2.0" }'),
    ("LicenseRef-Proprietary", ":cannot_represent"),
    (None, ":cannot_represent"),
])
def test_license_dsl_is_valid_ruby(tmp_path, spdx, ruby):
    assert license_mapping.homebrew(License(spdx=spdx)) == ruby
    path = tmp_path / "l.rb"
    path.write_text(f"def license(*a, **k) = p(a, k)\nlicense {ruby}\n")
    assert subprocess.run(["ruby", str(path)], capture_output=True).returncode == 0


def test_a_main_command_without_version_is_tested_through_its_help(tmp_path, cfg):
    from pkg.core.config import CommandOptions

    quiet = dataclasses.replace(cfg, command={"mytool": CommandOptions(version=False)})
    ctx = make_release(tmp_path, quiet, app=multi_app())
    formula = formula_of(ctx)
    assert 'system bin/"mytool", "--help"' in formula.read_text() and "--version" not in formula.read_text()
    art = ctx.manifest.select(Kind.ARCHIVE, "linux")[1]
    log = evaluate(tmp_path, formula, "linux", "intel", ctx.folder / art.path)["log"]
    assert log[-1] == ["system", [str(tmp_path / "prefix-linux-intel" / "bin" / "mytool"), "--help"], True]



@pytest.mark.parametrize(("options", "line", "logged"), [
    ({"version_args": ("-V",)}, 'assert_match version.to_s, shell_output("#{bin}/mytool -V")', "assert_match"),
    ({"version_args": ("-V",), "version_differs": "upstream prints 0.1"}, 'system bin/"mytool", "-V"', "system")])
def test_version_args_keep_the_formulas_version_test(tmp_path, cfg, options, line, logged):
    from pkg.core.config import CommandOptions

    declared = dataclasses.replace(cfg, command={"mytool": CommandOptions(**options)})
    ctx = make_release(tmp_path, declared, app=multi_app())
    formula = formula_of(ctx)
    assert line in formula.read_text() and "--version" not in formula.read_text()
    assert subprocess.run(["ruby", "-c", str(formula)], capture_output=True).returncode == 0
    art = ctx.manifest.select(Kind.ARCHIVE, "linux")[1]
    log = evaluate(tmp_path, formula, "linux", "intel", ctx.folder / art.path)["log"]
    assert log[-1][0] == logged and "-V" in str(log[-1]) + str(log[-2])

SHARED = {"share/bash-completion/completions/tailor": "complete -F _tailor tailor\n",
          "share/zsh/site-functions/_tailor": "#compdef tailor\n",
          "share/fish/vendor_completions.d/tailor.fish": "complete -c tailor\n",
          "share/man/man1/tailor.1": ".TH TAILOR 1\n"}


@pytest.mark.parametrize(("os_name", "arch"), [("macos", "arm"), ("linux", "intel")])
def test_completions_and_man_pages_land_where_brew_puts_them(tmp_path, cfg, os_name, arch):
    ctx = make_release(tmp_path, cfg, shared=SHARED)
    formula = formula_of(ctx)
    assert subprocess.run(["ruby", "-c", str(formula)], capture_output=True).returncode == 0
    target = f"{os_name}-{'arm64' if arch == 'arm' else 'x86_64'}"
    art = next(a for a in ctx.manifest.select(Kind.ARCHIVE) if a.target == target)
    evaluate(tmp_path, formula, os_name, arch, ctx.folder / art.path)
    prefix = tmp_path / f"prefix-{os_name}-{arch}"
    for place, text in [("etc/bash_completion.d/tailor", SHARED["share/bash-completion/completions/tailor"]),
                        ("share/zsh/site-functions/_tailor", "#compdef tailor\n"),
                        ("share/fish/vendor_completions.d/tailor.fish", "complete -c tailor\n"),
                        ("share/man/man1/tailor.1", ".TH TAILOR 1\n")]:
        assert (prefix / place).read_text() == text, place
    assert ctx.warnings == []


def test_a_file_only_some_builds_carry_is_left_out_with_a_warning(tmp_path, cfg):
    ctx = make_release(tmp_path, cfg, shared=SHARED)
    ctx.inputs.artifacts = [a for a in ctx.inputs.artifacts
                            if not (a.kind == Kind.MAN_PAGE and a.target == "linux-arm64")]
    text = formula_of(ctx).read_text()
    assert "man1.install" not in text and 'bash_completion.install libexec/"share/bash-completion' in text
    assert ctx.warnings == ["formula: share/man/man1/tailor.1 is not in every macOS/Linux build: not installed by brew"]
