# Release pipeline for a Python CLI: `make` lists the targets. Logic lives in pkg/ (python -m pkg <stage>);
# this file only normalises the platform and calls the thin per-platform scripts in scripts/.
# The app is whatever [tool.pkg] project = "…" in pyproject.toml points at; nothing here names it.
.DEFAULT_GOAL := help
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
MAKEFLAGS += --no-print-directory

# --- Platform: the same table as pkg/core/targets.py (tests/test_targets.py proves they agree) -------------
ifeq ($(OS),Windows_NT)
UNAME_S ?= Windows_NT
endif
UNAME_S ?= $(shell uname -s)
UNAME_M ?= $(shell uname -m)
TARGET_OS := $(or $(if $(filter Linux,$(UNAME_S)),linux),$(if $(filter Darwin,$(UNAME_S)),macos),$(if $(filter MINGW% MSYS% CYGWIN% Windows_NT,$(UNAME_S)),windows))
TARGET_ARCH := $(or $(if $(filter x86_64 amd64 AMD64,$(UNAME_M)),x86_64),$(if $(filter arm64 aarch64 ARM64,$(UNAME_M)),arm64))
TARGET := $(TARGET_OS)-$(TARGET_ARCH)

# Windows runs the PowerShell twin of each script; everything else runs bash. Both take the same options:
# $(call opt,name,value) spells one as `--name value` (bash) or `-name value` (PowerShell), or not at all.
ifeq ($(TARGET_OS),windows)
script = powershell -NoProfile -ExecutionPolicy Bypass -File scripts/$(1).ps1
opt = $(if $(2),-$(1) $(2))
PY := $(CURDIR)/.tools/venv/Scripts/python.exe
MSI_TARGET := $(TARGET)
else
script = bash scripts/$(1).sh
opt = $(if $(2),--$(1) $(2))
PY := $(CURDIR)/.tools/venv/bin/python
endif

# uv from PATH, else the copy scripts/setup.sh installs into .tools/ (fresh machines without uv); it only
# bootstraps the pipeline's venv: the pipeline then runs its own pinned uv (pkg/uv.lock).
UV ?= $(if $(shell command -v uv 2>/dev/null),uv,$(CURDIR)/.tools/uv/bin/uv)
export UV PY

.PHONY: help setup check plan init build build-test msi print-release-info bench release sign-release audit test test-fast test-adopt test-oldroot lint clean print-target check-target

help: ## show this help
	@echo "Release pipeline ($(TARGET)): the app is the project that [tool.pkg] in pyproject.toml points at"
	@awk 'BEGIN {FS = ":.*## "} /^##@ / {printf "\n%s\n", substr($$0, 5)} /^[a-z][a-z-]*:.*## / {printf "  make %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "  Options: VERSION=X.Y.Z[rcN] FORCE=1 TAG=1 REQUIRE_TARGETS=all ABOVE_FLOOR=1 HERE=1 BACKEND=pyinstaller"
	@echo "           FALLBACK=pyinstaller PROJECT=path AUDIT=required BENCH_ARGS=\"--skip onefile …\" SETUP=build"
	@echo "           SOURCE_DATE_EPOCH=… UNAME_S=… UNAME_M=… (override detection)"

check-target:
	@if [ -z "$(TARGET_OS)" ]; then echo "error: unsupported OS '$(UNAME_S)' (known: Linux, Darwin, MINGW*/MSYS*/CYGWIN*, Windows_NT)" >&2; exit 2; fi
	@if [ -z "$(TARGET_ARCH)" ]; then echo "error: unsupported architecture '$(UNAME_M)' (known: x86_64, amd64, AMD64, arm64, aarch64, ARM64)" >&2; exit 2; fi

# Set-up is redone only when the pipeline's lock or the set-up script changes.
.tools/setup.stamp: pkg/uv.lock pkg/pyproject.toml scripts/setup.sh scripts/setup.ps1
	@$(call script,setup)
	@mkdir -p .tools && touch $@

##@ Configure (the app is any Python project; README "[tool.pkg] keys", pkg/core/settings.py)
setup: check-target .tools/setup.stamp ## install system packages (apt/brew) and the pipeline's locked tools (uv)

init: setup ## append [tool.pkg] for the project in PROJECT (default: .), with what running it pip-installed showed
	@"$(PY)" -m pkg init --project "$(or $(PROJECT),.)"

check: setup ## validate [tool.pkg] and the app's project, and what each channel can express
	@"$(PY)" -m pkg check

plan: setup ## print what `make release VERSION=…` will produce in CI (HERE=1: here), building nothing
	@"$(PY)" -m pkg plan --version "$(VERSION)" $(if $(HERE),--here)

##@ Build, on each runner (pkg/pipeline.py BUILD)
# VERSION (optional for build) is validated and brought into the app's project before anything is built.
build: setup ## wheel → build venv → Nuitka standalone → dist/<name>-<os>-<arch>/, archive, build manifest
	@$(if $(VERSION),"$(PY)" -m pkg set-version --version "$(VERSION)" &&) $(call script,build) $(TARGET) $(call opt,version,$(VERSION)) $(call opt,backend,$(BACKEND)) $(call opt,fallback,$(FALLBACK))

build-test: build ## build, then unpack the archive elsewhere and prove every command works
	@"$(PY)" -m pkg build-test --target $(TARGET)

# On Windows WiX 5 builds it (scripts/msi.ps1); elsewhere wixl, from the Windows runner's build in dist/.
msi: setup ## dist/<name>-windows-<arch>.msi from the Windows folder or zip (signed if SIGN_CERT), recorded
	@$(call script,msi) $(call opt,target,$(MSI_TARGET)) $(call opt,version,$(VERSION))

##@ Release, one job (pkg/pipeline.py RELEASE)
release: setup ## release/v<VERSION>/ (REQUIRE_TARGETS=all: merge the CI builds, build nothing)
	@"$(PY)" -m pkg set-version --for-release --version "$(VERSION)" $(if $(FORCE),--force) $(if $(TAG),--tag)
	@$(if $(filter all,$(REQUIRE_TARGETS)),,$(MAKE) build-test VERSION="$(VERSION)")
	@"$(PY)" -m pkg release --version "$(VERSION)" --require-targets "$(REQUIRE_TARGETS)" $(if $(FORCE),--force) $(if $(TAG),--tag) $(if $(ABOVE_FLOOR),--above-floor) $(if $(STARTUP_BASELINE),--startup-baseline "$(STARTUP_BASELINE)")

# CI only (the release job, id-token: write): after `make release`, before publishing.
sign-release: setup ## keyless Sigstore signature of release/v<VERSION>/SHA256SUMS → SHA256SUMS.sigstore.json
	@"$(PY)" -m pkg sign-release --version "$(VERSION)"

audit: setup ## pip-audit the shipped distributions (AUDIT=required: fail when it cannot scan)
	@"$(PY)" -m pkg audit $(if $(filter required,$(AUDIT)),--required)

# No set-up here: CI appends this output to $GITHUB_OUTPUT after its own `make setup`.
print-release-info: ## the facts CI steps read for VERSION: version, tag, prerelease, release and package folders
	@"$(PY)" -m pkg release-info --version "$(VERSION)"

print-target: check-target ## this machine's <os>-<arch>
	@echo $(TARGET)

##@ Developing the pipeline (pkg/dev/, tests/)
test: setup ## the whole test suite: real builds of the example, a vendored third-party CLI, fixture projects
	@"$(PY)" -m pytest $(PYTEST_ARGS)

test-fast: setup ## the tests that build nothing, on every core (~1 min): the logic, on fixtures
	@"$(PY)" -m pytest -m "not e2e and not adopt" -n auto $(PYTEST_ARGS)

test-adopt: setup ## real CLIs from PyPI adopted by configuration alone: build-test, release, bench → README's table (slow)
	@"$(PY)" -m pytest -m adopt -p no:cacheprovider -n 2 tests/test_adopt.py $(PYTEST_ARGS)
	@"$(PY)" -m tests.adopt_table

# debootstrap and chroot need root: as another user (a CI runner), through sudo.
test-oldroot: setup ## Linux builds on the glibc floor: a real app built and run in a Debian 11 root (cached)
	@$(if $(filter 0,$(shell id -u)),,sudo -E) "$(PY)" -m pytest -m oldroot -p no:cacheprovider tests/test_oldroot.py $(PYTEST_ARGS)

bench: setup ## startup/size benchmark of every build kind side by side → bench/results.{json,md}, startup.png
	@"$(PY)" -m pkg bench $(BENCH_ARGS)

# Templates are checked after rendering (tests), not here: their placeholders do not parse.
lint: setup ## ruff, shellcheck, PowerShell syntax (tree-sitter grammar), workflow schema
	@"$(PY)" -m ruff check pkg app tests
	@.tools/venv/bin/shellcheck $$(git ls-files --cached --others --exclude-standard '*.sh' ':!pkg/channels/templates/') .ci/run
	@"$(PY)" -m pkg lint-ps1 $$(git ls-files --cached --others --exclude-standard '*.ps1' ':!pkg/channels/templates/')
	@"$(PY)" -m check_jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

clean: ## remove build outputs (dist/, build/, release/)
	rm -rf dist build release .pytest_cache
