"""Phase 3, what users install from: the MSI, the Homebrew formula, winget and Scoop manifests, and the
install scripts. Each module is one release stage (pkg/pipeline.py) plus the check of what its channel can
express (pkg/check.py runs those before anything is built)."""
