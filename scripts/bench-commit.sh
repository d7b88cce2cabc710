#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make bench-commit`: copy the fresh results of `make bench` (build/bench/)
# over the tracked ones (bench/results/), each with its CSV, JSON and plot,
# but only results stamped with the clean commit that is checked out now:
# a result of a dirty tree or of another commit is refused, by name.
# Then commit bench/results/ yourself.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
head=$(git describe --always)
case "$(git describe --always --dirty)" in *-dirty)
	echo "bench-commit: the tree has uncommitted changes: commit, then 'make bench'" >&2
	exit 1 ;;
esac
copied=0
for md in build/bench/*.md; do
	[ -e "$md" ] || break
	stamp=$(sed -n 's/.*at commit `\([^`]*\)`.*/\1/p' "$md" | head -1)
	if [ "$stamp" != "$head" ]; then
		echo "bench-commit: $md is of commit '${stamp:-?}', not $head: run 'make bench' again" >&2
		exit 1
	fi
done
for md in build/bench/*.md; do
	[ -e "$md" ] || break
	base=${md%.md}
	for f in "$md" "$base.csv" "$base.json" "$base.png" "$base"-*.png; do
		[ -e "$f" ] && cp "$f" bench/results/ && copied=$((copied + 1))
	done
done
[ "$copied" -gt 0 ] || { echo "bench-commit: nothing in build/bench/: run 'make bench'" >&2; exit 1; }
echo "bench-commit: $copied files copied to bench/results/ (commit $head); now git add + commit them"
