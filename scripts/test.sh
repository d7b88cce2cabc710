#!/usr/bin/env bash
# `make test`: set up, build, run the host unit tests and the system tests
# (QEMU), then print the totals as the last line: "N passed, M failed".
# Exits nonzero if anything failed. Logs: build/test-logs/.
#
# Counting: one test per cmocka case of the unit tests (a unit binary that
# crashes or fails to build counts as one more failure), one per board build
# and per board image check (scripts/board-check.sh), one per pytest test
# of the system tests (errors and skips count as failures), one failure for a setup or
# build step that fails.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
logs="$top/build/test-logs"
PY=/usr/bin/python3             # Debian's python3, with pexpect and pytest
SYSTEM_TIMEOUT=${ZVM_SYSTEM_TIMEOUT:-720}
passed=0
failed=0

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

# A step whose output is shown only when it fails.
quiet_step() {
  local name=$1; shift
  if ! "$@" >"$logs/$name.log" 2>&1; then
    cat "$logs/$name.log"
    echo "test: $name failed (log: build/test-logs/$name.log)"
    failed=$((failed + 1))
    finish
  fi
}

mkdir -p "$logs"
quiet_step setup scripts/setup.sh
quiet_step build make --no-print-directory all
echo "test: setup and build ok"

# ---- the arch boundary: one test (scripts/check-arch-boundary.py) ----
if "$PY" scripts/check-arch-boundary.py >"$logs/arch-boundary.log" 2>&1; then
  echo "check: arch boundary: passed"; passed=$((passed + 1))
else
  cat "$logs/arch-boundary.log"
  echo "check: arch boundary: failed (log: build/test-logs/arch-boundary.log)"
  failed=$((failed + 1))
fi

# ---- unit tests ----
unit_out=$(make --no-print-directory -C tests/unit run 2>&1)
unit_rc=$?
printf '%s\n' "$unit_out" > "$logs/unit.log"
nunit=0
while read -r _ name result; do
  log="$top/build/unit/$name.log"
  p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\..*/\1/p' "$log" | tail -n1)
  f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s).*/\1/p' "$log" | tail -n1)
  p=${p:-0}; f=${f:-0}
  if [ "$result" = failed ] && [ "$f" -eq 0 ]; then
    # Crashed (sanitizer, signal) before cmocka's summary: the cases that
    # finished passed, the one running failed.
    p=$(grep -c '^\[       OK \]' "$log"); f=1
  fi
  if [ "$result" = passed ] && [ -z "$(grep -m1 '^\[  PASSED  \]' "$log")" ]; then
    p=1   # not a cmocka binary: the binary is the test
  fi
  echo "unit: $name: $p passed, $f failed"
  passed=$((passed + p)); failed=$((failed + f)); nunit=$((nunit + 1))
  [ "$result" = failed ] && sed 's/^/  | /' "$log"
done < <(printf '%s\n' "$unit_out" | grep -E '^unit: [^ ]+ (passed|failed)$')
if [ "$unit_rc" -ne 0 ] && ! printf '%s\n' "$unit_out" | grep -qE '^unit: [^ ]+ failed$'; then
  # Failed without a failing test: the unit tests did not build.
  printf '%s\n' "$unit_out" | tail -n 40
  echo "unit: build failed (log: build/test-logs/unit.log)"
  failed=$((failed + 1))
elif [ "$nunit" -eq 0 ]; then
  echo "unit: no unit tests ran"
  failed=$((failed + 1))
fi

# ---- board images (docs/porting.md): begin ----
# make PLATFORM=<board> for each board, then scripts/board-check.sh on its
# boot directory: the build counts as one test, each check as one more.
for board in rk3568 rk3588; do
  blog="$logs/board-$board.log"
  if make --no-print-directory PLATFORM="$board" all > "$blog" 2>&1; then
    echo "board: $board: build passed"
    bout=$(scripts/board-check.sh "$board" 2>&1)
    printf '%s\n' "$bout" | tee -a "$blog"
    bp=$(grep -c ': passed$' <<<"$bout"); bf=$(grep -c ': failed$' <<<"$bout")
    [ "$bp" -gt 0 ] || bf=$((bf + 1))
    passed=$((passed + 1 + bp)); failed=$((failed + bf))
  else
    tail -n 20 "$blog"
    echo "board: $board: build failed (log: build/test-logs/board-$board.log)"
    failed=$((failed + 1))
  fi
done
# ---- board images: end ----

# ---- system tests ----
xml="$logs/system.xml"
rm -f "$xml"
PYTHONDONTWRITEBYTECODE=1 timeout -k 10 "$SYSTEM_TIMEOUT" \
  "$PY" -m pytest -v --tb=short -rfE -p no:cacheprovider -W ignore::DeprecationWarning \
  --junitxml="$xml" tests/system
sys_rc=$?
counts=$([ -f "$xml" ] && "$PY" - "$xml" <<'PYEOF'
import sys
import xml.etree.ElementTree as ET
# One count per test case: failed if its setup, call or teardown failed
# (or it was skipped).
cases = ET.parse(sys.argv[1]).getroot().iter("testcase")
p = f = 0
for c in cases:
    if any(e.tag in ("failure", "error", "skipped") for e in c):
        f += 1
    else:
        p += 1
print(p, f)
PYEOF
)
if [ -z "$counts" ]; then
  why="pytest status $sys_rc"
  [ "$sys_rc" -eq 124 ] && why="timed out after $SYSTEM_TIMEOUT s"
  echo "system: no results ($why)"
  failed=$((failed + 1))
else
  read -r sp sf <<<"$counts"
  if [ "$sys_rc" -ne 0 ] && [ "$sf" -eq 0 ]; then
    echo "system: pytest exited $sys_rc without a failing test"
    sf=1
  fi
  echo "system: $sp passed, $sf failed (logs: build/test-logs/)"
  passed=$((passed + sp)); failed=$((failed + sf))
fi
finish
