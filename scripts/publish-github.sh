#!/usr/bin/env bash
# Publish a release directory as a GitHub release named after it:
#   scripts/publish-github.sh <release folder> <prerelease: true|false> [notes file]
# (the three come from `make print-release-info`). Uploads the folder's files (GitHub release assets
# are flat: sub-folders are not uploaded). The notes are the notes file (GitHub's generated notes
# without one). Re-running replaces the assets of an existing release. Needs GH_TOKEN.
set -euo pipefail
if [ "$#" -lt 2 ] || [ "$#" -gt 3 ] || { [ "$2" != true ] && [ "$2" != false ]; }; then
  echo "usage: $0 <release folder> true|false [notes file]" >&2
  exit 2
fi
dir="$1" prerelease="$2" notes="${3:-}"
tag="$(basename "$dir")"
mapfile -t files < <(find "$dir" -maxdepth 1 -type f | sort)
if [ "${#files[@]}" -eq 0 ]; then
  echo "error: no files in '$dir' (run make release first)" >&2
  exit 1
fi
if gh release view "$tag" >/dev/null 2>&1; then
  gh release upload "$tag" --clobber "${files[@]}"
  exit 0
fi
args=(--title "$tag" --verify-tag --generate-notes)
if [ -n "$notes" ] && [ -f "$notes" ]; then
  args=(--title "$tag" --verify-tag --notes-file "$notes")
fi
if [ "$prerelease" = true ]; then
  args+=(--prerelease)
fi
gh release create "$tag" "${args[@]}" "${files[@]}"
