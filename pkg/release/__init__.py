"""Phase 2, one job (`make release`): the runners' builds merged and verified, then the release's own
files: checksums, SBOM, licenses, vulnerability scan, notes."""
