"""Developer tooling, not part of a release: the startup benchmark (`make bench`) and the PowerShell lint."""
