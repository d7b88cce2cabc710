#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make test`: set up, build, run the host unit tests and the system tests
# (QEMU), then print the totals as the last line: "N passed, M failed".
# Exits nonzero if anything failed. Logs: build/test-logs/.
#
# Counting: one test per cmocka case of the unit tests (a unit binary that
# crashes or fails to build counts as one more failure), one per board build
# and per board image check (scripts/board-check.sh), one per pytest test
# of the system tests (errors and skips count as failures; a test without a
# result, because its file's run was killed, counts as failed by name), one
# failure for a setup or build step that fails.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
logs="$top/build/test-logs"
PY=/usr/bin/python3             # Debian's python3, with pexpect and pytest
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

# ---- the tree: clang-format and SPDX lines (scripts/check-format.sh), two tests ----
"$top/scripts/check-format.sh" >"$logs/format.log" 2>&1
sed -n 's/^check: \([a-z-]*\): passed$/&/p; /^check: .*: failed/p' "$logs/format.log"
np=$(grep -c '^check: .*: passed$' "$logs/format.log"); nf=$(grep -c '^check: .*: failed' "$logs/format.log")
[ "$nf" -gt 0 ] && sed 's/^/  | /' "$logs/format.log"
[ $((np + nf)) -eq 2 ] || { echo "check: format: the checks did not run"; nf=$((2 - np)); }
passed=$((passed + np)); failed=$((failed + nf))

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

# ---- system tests: one pytest run per file ----
# Each test has its own time limit (tests/system/conftest.py) and its result
# is written as it finishes; a file whose run outlives FILE_LIMIT is killed
# and every test of it without a result counts as failed, by name.
scale=${ZVM_TIMEOUT_SCALE:-3}
FILE_LIMIT=${ZVM_FILE_TIME_LIMIT:-$(awk "BEGIN { print int(600 * $scale) }")}
# The whole system suite stops starting files after this many seconds, so that
# `make test` ends (with every test counted) within CI's 90 minutes.
BUDGET=${ZVM_SYSTEM_BUDGET:-4500}
export ZVM_TIMEOUT_SCALE=$scale
sys_failures=()
sys_t0=$SECONDS
# ZVM_SYSTEM_TESTS: the files to run (default: all of them).
for file in ${ZVM_SYSTEM_TESTS:-tests/system/test_*.py}; do
  name=$(basename "$file" .py)
  ids="$logs/$name.ids" res="$logs/$name.results" xml="$logs/$name.xml"
  rm -f "$ids" "$res" "$xml"
  if ! "$PY" -m pytest --collect-only -q -p no:cacheprovider "$file" >"$ids" 2>&1; then
    sed 's/^/  | /' "$ids"
    echo "system: $name: its tests could not be collected"
    sys_failures+=("system: FAILED $file: its tests could not be collected")
    failed=$((failed + 1))
    continue
  fi
  t0=$SECONDS
  left=$((BUDGET - (SECONDS - sys_t0))) limit=$FILE_LIMIT
  [ "$left" -lt "$limit" ] && limit=$left
  if [ "$limit" -lt 30 ]; then
    report=$("$PY" tests/system/count_results.py "$ids" "$res" 255 "$BUDGET")
    printf '%s\n' "$report" | sed '$d'
    readarray -t -O "${#sys_failures[@]}" sys_failures < <(printf '%s\n' "$report" | sed '$d')
    read -r _ sp sf < <(printf '%s\n' "$report" | tail -n1)
    echo "system: $name: not run, the time budget of $BUDGET s is spent ($sf failed)"
    failed=$((failed + sf))
    continue
  fi
  PYTHONDONTWRITEBYTECODE=1 ZVM_RESULTS="$res" timeout -k 10 "$limit" \
    "$PY" -m pytest -v --tb=short -rfE -p no:cacheprovider -W ignore::DeprecationWarning \
    --junitxml="$xml" "$file" 2>&1 | tee "$logs/$name.pytest.log"
  rc=${PIPESTATUS[0]}
  case "$rc" in 124|137) echo;; esac    # killed: its last line may be unfinished
  report=$("$PY" tests/system/count_results.py "$ids" "$res" "$rc" "$limit")
  read -r _ sp sf < <(printf '%s\n' "$report" | tail -n1)
  while IFS= read -r line; do
    [ -n "$line" ] && echo "$line" && sys_failures+=("$line")
  done < <(printf '%s\n' "$report" | sed '$d')
  why=""
  case "$rc" in 124|137) why=", killed after $limit s";; esac
  echo "system: $name: $sp passed, $sf failed ($((SECONDS - t0)) s$why)"
  passed=$((passed + sp)); failed=$((failed + sf))
done
echo "system: all files in $((SECONDS - sys_t0)) s (ZVM_TIMEOUT_SCALE $scale; logs: build/test-logs/)"
if [ "${#sys_failures[@]}" -gt 0 ]; then
  echo "system: the failed tests:"
  printf '  %s\n' "${sys_failures[@]}"
fi
finish
