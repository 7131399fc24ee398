#!/usr/bin/env bash
# The release steps on a throwaway clone, so this repository is never modified: install, build,
# `changeset version` (bumps each package from the pending changesets, independently) and
# `pnpm publish -r --dry-run` (packs what would be published, uploads nothing). CI runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node.sh
repo="$(pwd)"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/vaultlink-release.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

# The committed state plus this checkout's uncommitted changes and pending changesets.
git clone --quiet --local --no-hardlinks "$repo" "$scratch/repo"
git -C "$repo" diff HEAD --binary | git -C "$scratch/repo" apply --allow-empty
git -C "$repo" ls-files --others --exclude-standard -z | (cd "$repo" && xargs -0 -r cp --parents -t "$scratch/repo")
cd "$scratch/repo"

bash scripts/pnpm.sh install --frozen-lockfile --prefer-offline >/dev/null
bash scripts/pnpm.sh build >/dev/null

before="$(node -e 'for (const d of ["core","cli"]) console.log(require("./packages/"+d+"/package.json").version)')"
echo "== changeset version"
bash scripts/pnpm.sh exec changeset version
after="$(node -e 'for (const d of ["core","cli"]) console.log(require("./packages/"+d+"/package.json").version)')"
git --no-pager diff --stat -- "*package.json"
ls packages/*/CHANGELOG.md
if [ -n "$(ls .changeset/*.md 2>/dev/null | grep -v README.md || true)" ]; then
  echo "error: changeset version left changesets behind" >&2
  exit 1
fi
if [ "$before" = "$after" ] && [ -n "$(git -C "$repo" ls-files '.changeset/*.md' | grep -v README.md || true)" ]; then
  echo "error: changeset version bumped nothing although changesets were pending" >&2
  exit 1
fi
# The lockfile follows the new versions, as a release commit would carry it.
bash scripts/pnpm.sh install --no-frozen-lockfile --prefer-offline >/dev/null

echo "== pnpm publish -r --dry-run"
bash scripts/pnpm.sh publish -r --dry-run --no-git-checks --access public 2>&1 | tee "$scratch/publish.log" | grep -E "^(\+ |npm notice (name|version|filename):)|Tarball Details|@vaultlink/" || true
for pkg in core cli provider-aws provider-azure provider-hashicorp provider-1password testkit create-provider ui; do
  version="$(node -e 'console.log(require("./packages/'"$pkg"'/package.json").version)')"
  if ! grep -q "@vaultlink/$pkg@$version" "$scratch/publish.log"; then
    echo "error: the dry run did not publish @vaultlink/$pkg@$version" >&2
    tail -20 "$scratch/publish.log" >&2
    exit 1
  fi
done
echo "release dry run: ok"
