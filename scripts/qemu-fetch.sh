#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetches zvm's QEMU (scripts/qemu-env.sh names it): the packages of
# ZVM_QEMU_PACKAGES from Debian's <codename>-backports, with `apt-get
# download` through a private sources list and private package lists under
# build/deps/qemu/apt (nothing on the system changes), unpacked with
# `dpkg-deb -x` into build/deps/qemu. The mirror is the one the system's own
# apt sources use for <codename>. Installs the libraries those packages
# depend on (all in Debian 12 itself) with apt-get.
# Idempotent: once unpacked, a run only checks that the libraries are there.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/qemu-env.sh
. "$top/scripts/qemu-env.sh"
apt_dir="$ZVM_QEMU_DIR/apt"
stamp="$ZVM_QEMU_DIR/unpacked"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

die() {
  echo "qemu-fetch: $*" >&2
  exit 1
}

codename() {
  # shellcheck disable=SC1091
  (. /etc/os-release && echo "${VERSION_CODENAME:-}")
}

# "URI KEYRING" of the first apt source (one-line or deb822) for suite $1;
# KEYRING is "-" when the source names none.
system_mirror() {
  local suite=$1 f files=()
  [ -f /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && files+=("$f")
  done
  [ ${#files[@]} -gt 0 ] || return 0
  awk -v suite="$suite" '
    function flush() {
      if (!found && types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && uri != "")
        { print uri, (key ~ /^\// ? key : "-"); found = 1; exit }
      types = suites = uri = key = ""
    }
    FNR == 1 { flush() }
    FILENAME ~ /\.sources$/ {
      if ($0 ~ /^[ \t]*$/) { flush(); next }
      if ($1 == "Types:") { $1 = ""; types = $0 }
      if ($1 == "URIs:") uri = $2
      if ($1 == "Suites:") { $1 = ""; suites = $0 }
      if ($1 == "Signed-By:") key = $2
      next
    }
    $1 == "deb" {
      i = 2; opts = ""
      if ($2 ~ /^\[/) { while (i < NF && $i !~ /\]$/) { opts = opts " " $i; i++ }; opts = opts " " $i; i++ }
      if ($(i + 1) == suite) {
        k = "-"
        if (match(opts, /signed-by=[^] ]+/)) k = substr(opts, RSTART + 10, RLENGTH - 10)
        print $i, k; found = 1; exit
      }
    }
    END { flush() }
' "${files[@]}"
}

# apt-get with the private sources list and package lists.
private_apt() {
  local tool=$1; shift
  "$tool" -o Dir::Etc::sourcelist="$apt_dir/sources.list" -o Dir::Etc::sourceparts=- \
    -o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache="$apt_dir/cache" \
    -o APT::Architectures="$(dpkg --print-architecture)" -o Acquire::Languages=none \
    -o APT::Sandbox::User="$(id -un)" "$@"
}

# Writes the private sources list for $1-backports; fetches its package lists.
backports_lists() {
  local suite=$1 mirror uri key opt=""
  mirror=$(system_mirror "$suite")
  [ -n "$mirror" ] || die "no apt source for Debian '$suite' in /etc/apt/sources.list or" \
    "/etc/apt/sources.list.d/: cannot tell which mirror serves $suite-backports"
  read -r uri key <<<"$mirror"
  [ "$key" = "-" ] || opt="[signed-by=$key] "
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  echo "deb $opt$uri $suite-backports main" > "$apt_dir/sources.list"
  echo "qemu-fetch: package lists of $uri $suite-backports"
  private_apt apt-get update -qq >"$apt_dir/update.log" 2>&1 || {
    cat "$apt_dir/update.log" >&2
    die "cannot fetch the package lists of $uri $suite-backports (log above)"
  }
}

# Downloads the packages (one version, the backports one) into $apt_dir/debs.
download_debs() {
  local suite=$1 p
  rm -rf "$apt_dir/debs"
  mkdir -p "$apt_dir/debs"
  for p in "${ZVM_QEMU_PACKAGES[@]}"; do
    (cd "$apt_dir/debs" && private_apt apt-get download -qq "$p/$suite-backports") \
      >"$apt_dir/download.log" 2>&1 || {
      cat "$apt_dir/download.log" >&2
      die "cannot download $p from $suite-backports (log above)"
    }
  done
}

# The packages the unpacked ones depend on, other than themselves: the
# first of each alternative, without versions, one per line.
library_depends() {
  local d
  for d in "$apt_dir"/debs/*.deb; do
    dpkg-deb -f "$d" Depends
    echo
  done | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/[[:space:]]//g' | grep -v '^qemu-' | grep . | sort -u
}

unpack_debs() {
  local d
  rm -rf "$ZVM_QEMU_DIR/usr" "$ZVM_QEMU_DIR/etc" "$stamp"
  for d in "$apt_dir"/debs/*.deb; do
    dpkg-deb -x "$d" "$ZVM_QEMU_DIR"
  done
  library_depends > "$ZVM_QEMU_DIR/depends"
}

# Installs (system-wide, from Debian 12's own archive) the libraries missing.
install_depends() {
  local missing
  missing=$({ dpkg-query -W -f='${Package} ${Status}\n' $(cat "$ZVM_QEMU_DIR/depends") 2>/dev/null || true; } |
    awk -v deps="$ZVM_QEMU_DIR/depends" '$NF == "installed" { sub(/:.*/, "", $1); ok[$1] = 1 }
      END { while ((getline p < deps) > 0) if (!(p in ok)) print p }')
  [ -n "$missing" ] || return 0
  missing=$(echo $missing)
  echo "qemu-fetch: installing $missing"
  # shellcheck disable=SC2086
  { $SUDO apt-get install -y -qq --no-install-recommends $missing ||
    { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends $missing; }
  } >"$apt_dir/install.log" 2>&1 || {
    cat "$apt_dir/install.log" >&2
    die "cannot install the libraries QEMU needs: $missing (log above)"
  }
}

# Runs the unpacked QEMU; it must start and be at least ZVM_QEMU_MIN.
check_version() {
  local out v
  out=$("$ZVM_QEMU" -L "$ZVM_QEMU_DATA" --version 2>&1) ||
    die "the unpacked QEMU does not start: $out"
  v=$(sed -n 's/^QEMU emulator version \([0-9]*\.[0-9]*\).*/\1/p' <<<"$out")
  [ -n "$v" ] && printf '%s\n%s\n' "$ZVM_QEMU_MIN" "$v" | sort -C -V ||
    die "the QEMU fetched is '${out%%$'\n'*}', older than the $ZVM_QEMU_MIN zvm needs"
  echo "${out%%$'\n'*}"
}

main() {
  local suite want version
  want="${ZVM_QEMU_PACKAGES[*]}"
  if [ -x "$ZVM_QEMU" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    install_depends
    return
  fi
  suite=$(codename)
  [ -n "$suite" ] || die "/etc/os-release names no VERSION_CODENAME: is this Debian?"
  backports_lists "$suite"
  download_debs "$suite"
  unpack_debs
  install_depends
  version=$(check_version)
  echo "qemu-fetch: $version in ${ZVM_QEMU_DIR#"$top"/}"
  echo "$want" > "$stamp"
}

main "$@"
