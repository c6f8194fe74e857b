"""Phase 1, on each runner (`make build`, `make build-test`): the app's wheel in a build environment,
compiled, checked complete, archived, recorded, then build-tested from the archive."""
