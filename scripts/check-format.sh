#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Tree checks run by `make test`: every C file is as clang-format (.clang-format)
# would write it, and every source file carries an SPDX license line.
# Prints one "check: NAME: passed|failed" line each; exits nonzero if one failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
rc=0

c_files=$(git ls-files '*.c' '*.h')
if out=$(clang-format --dry-run --Werror $c_files 2>&1); then
  echo "check: clang-format: passed"
else
  printf '%s\n' "$out" | grep -E '^[^ ].*: error:' | head -n 20
  echo "check: clang-format: failed (fix: clang-format -i FILE)"
  rc=1
fi

missing=()
for f in $(git ls-files '*.c' '*.h' '*.S' '*.ld' '*.dts' '*.py' '*.sh' '*.mk' '*.js' \
           Makefile '*/Makefile' .ci/run guests/linux/init guests/linux/inittab guests/linux/profile); do
  [ -f "$f" ] || continue
  head -n 3 "$f" | grep -q 'SPDX-License-Identifier:' || missing+=("$f")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "check: spdx: passed"
else
  printf 'no SPDX-License-Identifier line in the first 3 lines: %s\n' "${missing[@]}"
  echo "check: spdx: failed"
  rc=1
fi
exit $rc
