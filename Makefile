# Release pipeline for a Python CLI: `make` lists the targets. Logic lives in pkg/ (python -m pkg <stage>);
# this file only normalises the platform and calls the thin per-platform scripts in scripts/.
# The app is whatever [tool.pkg] project = "…" in pyproject.toml points at; nothing here names it.
.DEFAULT_GOAL := help
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
MAKEFLAGS += --no-print-directory

# --- Platform: the same table as pkg/targets.py (tests/test_targets.py proves they agree) -------------
ifeq ($(OS),Windows_NT)
UNAME_S ?= Windows_NT
endif
UNAME_S ?= $(shell uname -s)
UNAME_M ?= $(shell uname -m)
TARGET_OS := $(or $(if $(filter Linux,$(UNAME_S)),linux),$(if $(filter Darwin,$(UNAME_S)),macos),$(if $(filter MINGW% MSYS% CYGWIN% Windows_NT,$(UNAME_S)),windows))
TARGET_ARCH := $(or $(if $(filter x86_64 amd64 AMD64,$(UNAME_M)),x86_64),$(if $(filter arm64 aarch64 ARM64,$(UNAME_M)),arm64))
TARGET := $(TARGET_OS)-$(TARGET_ARCH)

# Windows runs the PowerShell twin of each script; everything else runs bash.
ifeq ($(TARGET_OS),windows)
script = powershell -NoProfile -ExecutionPolicy Bypass -File scripts/$(1).ps1
PY := $(CURDIR)/.tools/venv/Scripts/python.exe
else
script = bash scripts/$(1).sh
PY := $(CURDIR)/.tools/venv/bin/python
endif

# uv from PATH, else the copy scripts/setup.sh installs into .tools/ (fresh machines without uv); it only
# bootstraps the pipeline's venv: the pipeline then runs its own pinned uv (pkg/uv.lock).
UV ?= $(if $(shell command -v uv 2>/dev/null),uv,$(CURDIR)/.tools/uv/bin/uv)
export UV PY

.PHONY: help setup check init build build-test msi print-release-info bench release audit test test-adopt lint clean print-target check-target

help: ## show this help
	@echo "Release pipeline ($(TARGET)): the app is the project that [tool.pkg] in pyproject.toml points at"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z-]*:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "  Options: VERSION=X.Y.Z[rcN] FORCE=1 TAG=1 REQUIRE_TARGETS=all BACKEND=pyinstaller FALLBACK=pyinstaller"
	@echo "           PROJECT=path (init) BENCH_ARGS=\"--skip onefile …\" AUDIT=required SOURCE_DATE_EPOCH=…"
	@echo "           UNAME_S=… UNAME_M=… (override detection)"

check-target:
	@if [ -z "$(TARGET_OS)" ]; then echo "error: unsupported OS '$(UNAME_S)' (known: Linux, Darwin, MINGW*/MSYS*/CYGWIN*, Windows_NT)" >&2; exit 2; fi
	@if [ -z "$(TARGET_ARCH)" ]; then echo "error: unsupported architecture '$(UNAME_M)' (known: x86_64, amd64, AMD64, arm64, aarch64, ARM64)" >&2; exit 2; fi

print-target: check-target ## print this machine's <os>-<arch>
	@echo $(TARGET)

# No set-up here: CI appends this output to $GITHUB_OUTPUT after its own `make setup`.
print-release-info: ## print version=, tag=, prerelease=true|false for VERSION (CI step outputs)
	@"$(PY)" -m pkg release-info --version "$(VERSION)"

# Set-up is redone only when the pipeline's lock or the set-up script changes.
.tools/setup.stamp: pkg/uv.lock pkg/pyproject.toml scripts/setup.sh scripts/setup.ps1
	@$(call script,setup)
	@mkdir -p .tools && touch $@

setup: check-target .tools/setup.stamp ## install system packages (apt/brew) and the pipeline's locked tools (uv)

check: setup ## validate [tool.pkg] and the app's project (metadata, commands, what each channel can express)
	@"$(PY)" -m pkg check

init: setup ## write a starter [tool.pkg] for the project in PROJECT (default: this folder) into pyproject.toml
	@"$(PY)" -m pkg init --project "$(or $(PROJECT),.)"

# VERSION (optional for build) is validated and stamped into the app's project before anything is built.
build: setup ## build the app's wheel, compile it (Nuitka standalone) into dist/<name>-<os>-<arch>/, archive it
	@$(if $(VERSION),"$(PY)" -m pkg stamp --version "$(VERSION)" &&) $(call script,build) $(TARGET) $(if $(VERSION),--version $(VERSION)) $(if $(BACKEND),--backend $(BACKEND)) $(if $(FALLBACK),--fallback $(FALLBACK))

build-test: build ## build, then unpack the archive elsewhere and prove every command works
	@"$(PY)" -m pkg smoke --target $(TARGET)

msi: setup ## build dist/<name>-windows-x86_64.msi from the Windows folder or zip and record it
ifeq ($(TARGET_OS),windows)
	@$(call script,msi) -Target windows-x86_64 $(if $(VERSION),-Version $(VERSION))
else
	@"$(PY)" -m pkg msi $(if $(VERSION),--version $(VERSION))
endif

release: setup ## assemble release/v$$VERSION/ (REQUIRE_TARGETS=all: merge CI builds, build nothing)
	@"$(PY)" -m pkg stamp --for-release --version "$(VERSION)" $(if $(FORCE),--force) $(if $(TAG),--tag)
	@$(if $(filter all,$(REQUIRE_TARGETS)),,$(MAKE) build-test VERSION="$(VERSION)")
	@"$(PY)" -m pkg release --version "$(VERSION)" --require-targets "$(REQUIRE_TARGETS)" $(if $(FORCE),--force) $(if $(TAG),--tag)

bench: setup ## startup/size benchmark of every build kind side by side → bench/results.{json,md}, bench/startup.png
	@"$(PY)" -m pkg bench $(BENCH_ARGS)

audit: setup ## pip-audit the shipped distributions (AUDIT=required: fail when it cannot scan)
	@"$(PY)" -m pkg audit $(if $(filter required,$(AUDIT)),--required)

test: setup ## run the test suite (includes real builds of the example and of one vendored third-party CLI)
	@"$(PY)" -m pytest $(PYTEST_ARGS)

test-adopt: setup ## adopt real CLIs from PyPI by configuration alone: build-test + release each (slow)
	@"$(PY)" -m pytest -m adopt -p no:cacheprovider tests/test_adopt.py $(PYTEST_ARGS)

# Templates are checked after rendering (tests), not here: their placeholders do not parse.
lint: setup ## ruff, shellcheck, PowerShell syntax (tree-sitter grammar), workflow schema
	@"$(PY)" -m ruff check pkg app tests
	@.tools/venv/bin/shellcheck $$(git ls-files --cached --others --exclude-standard '*.sh' ':!pkg/templates/') .ci/run
	@"$(PY)" -m pkg lint-ps1 $$(git ls-files --cached --others --exclude-standard '*.ps1' ':!pkg/templates/')
	@"$(PY)" -m check_jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

clean: ## remove build outputs (dist/, build/, release/)
	rm -rf dist build release .pytest_cache
