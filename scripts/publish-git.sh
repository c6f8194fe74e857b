#!/usr/bin/env bash
# Publish generated files to another git repository (Homebrew tap, Scoop bucket, a winget-pkgs fork):
#   scripts/publish-git.sh <git-url> <source-dir> <dest-dir> <message> [branch]
# Copies the tree under <source-dir> into <dest-dir> of the repository, commits and pushes. Without a
# branch it pushes to the default branch; with one, it (re)creates that branch from the default branch
# and force-pushes it (a pull-request branch). Nothing changed → nothing is pushed.
# Auth: GH_TOKEN, through gh's git credential helper, when set.
set -euo pipefail
if [ "$#" -lt 4 ] || [ "$#" -gt 5 ]; then
  echo "usage: $0 <git-url> <source-dir> <dest-dir> <message> [branch]" >&2
  exit 2
fi
url="$1" source="$2" dest="$3" message="$4" branch="${5:-}"
if [ -z "$(find "$source" -type f 2>/dev/null | head -n 1)" ]; then
  echo "error: no files to publish under '$source'" >&2
  exit 1
fi
source="$(cd "$source" && pwd)"
if [ -n "${GH_TOKEN:-}" ]; then
  gh auth setup-git
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Shallow and sparse: a winget-pkgs checkout is otherwise gigabytes. Only the folders we write are
# checked out.
git clone --quiet --depth 1 --filter=blob:none --sparse "$url" "$work/repo"
mapfile -t folders < <(cd "$source" && find . -type f -printf "$dest/%h\n" | sed 's|/\.$||; s|/\./|/|' | sort -u)
git -C "$work/repo" sparse-checkout set "${folders[@]}"
if [ -n "$branch" ]; then
  git -C "$work/repo" switch --quiet -c "$branch"
fi
mkdir -p "$work/repo/$dest"
cp -R "$source/." "$work/repo/$dest/"
git -C "$work/repo" add --sparse -- "$dest"
if git -C "$work/repo" diff --cached --quiet; then
  echo "nothing to publish: $url already has these files"
  exit 0
fi
git -C "$work/repo" -c user.name="${GIT_AUTHOR_NAME:-github-actions[bot]}" \
  -c user.email="${GIT_AUTHOR_EMAIL:-41898282+github-actions[bot]@users.noreply.github.com}" \
  commit --quiet -m "$message"
if [ -n "$branch" ]; then
  git -C "$work/repo" push --quiet --force origin "HEAD:refs/heads/$branch"
else
  git -C "$work/repo" push --quiet origin HEAD
fi
echo "published $(git -C "$work/repo" diff --name-only HEAD~1 | wc -l) file(s) to $url${branch:+ ($branch)}"
