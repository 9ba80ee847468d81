# Installs what HA Lab needs to build, serve and test, and nothing twice.
# Sourced by ./lab; every tool comes from a registry this machine reaches
# (rustup's dist server, crates.io, npm, Debian), never from GitHub.
#
#   setup_build   the Rust toolchain and wasm32 target, trunk, wasm-bindgen-cli,
#                 wasm-split-cli,
#                 the npm dev packages (wasm-opt), and the crates (cargo fetch)
#   setup_tests   setup_build, plus Debian's chromium and chromium-driver
#   release_std   runs a command with the release build's standard library

# shellcheck shell=bash

CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$PWD/node_modules/.bin:$CARGO_BIN:$PATH"

# Colours only on a terminal, so that CI logs stay plain text.
if [ -t 1 ]; then
  BOLD=$'\033[1m' RED=$'\033[31m' GREEN=$'\033[32m' RESET=$'\033[0m'
else
  BOLD='' RED='' GREEN='' RESET=''
fi

say() { printf '%s==> %s%s\n' "$BOLD" "$*" "$RESET" >&2; }
die() {
  printf '%serror:%s %s\n' "$RED" "$RESET" "$*" >&2
  exit 1
}

# The version of a crate in Cargo.lock.
locked_version() {
  awk -v name="$1" '$0 == "name = \"" name "\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

# A quoted value from a `key = "value"` line of a TOML file (first match).
toml_value() {
  sed -n "s/^$2 *= *\"\\(.*\\)\"/\\1/p" "$1" | head -n 1
}

setup_rust() {
  if ! command -v rustup >/dev/null; then
    die "rustup is not installed. HA Lab needs the Rust toolchain named in rust-toolchain.toml, managed by rustup."
  fi
  local installed
  installed=$(rustup target list --installed 2>/dev/null || true)
  if ! grep -qx wasm32-unknown-unknown <<<"$installed" ||
    ! rustup component list --installed 2>/dev/null | grep -q '^clippy' ||
    ! rustup component list --installed 2>/dev/null | grep -q '^rustfmt' ||
    ! rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
    say "Installing the Rust toolchain from rust-toolchain.toml with the wasm32 target, clippy, rustfmt and rust-src (seconds)"
    rustup toolchain install || die "rustup could not install the toolchain in rust-toolchain.toml"
  fi
}

# cargo_tool BINARY VERSION CRATE [cargo install flags...]
# Installs CRATE@VERSION unless `BINARY --version` already reports VERSION.
cargo_tool() {
  local bin=$1 version=$2 crate=$3
  shift 3
  if command -v "$bin" >/dev/null && "$bin" --version 2>/dev/null | grep -qw "$version"; then
    return
  fi
  say "Installing $crate $version with cargo install (this compiles it: a few minutes, once)"
  cargo install --force "$@" "$crate@$version" ||
    die "cargo install $crate@$version failed; see the messages above"
}

# wasm-split-cli, which splits the release build (scripts/split-wasm.mjs).
# It must read the split points of Cargo.lock's wasm_split_helpers.
WASM_SPLIT_CLI_VERSION=0.2.4

setup_cargo_tools() {
  local trunk_version bindgen_version trunk_bindgen
  trunk_version=$(toml_value Trunk.toml trunk-version)
  bindgen_version=$(locked_version wasm-bindgen)
  trunk_bindgen=$(toml_value Trunk.toml wasm_bindgen)
  [ -n "$trunk_version" ] || die "Trunk.toml has no trunk-version"
  [ -n "$bindgen_version" ] || die "Cargo.lock has no wasm-bindgen; run cargo generate-lockfile"
  if [ "$bindgen_version" != "$trunk_bindgen" ]; then
    die "Cargo.lock has wasm-bindgen $bindgen_version but Trunk.toml's [tools] wasm_bindgen is $trunk_bindgen: make them equal"
  fi
  cargo_tool trunk "$trunk_version" trunk --locked
  # wasm-bindgen-cli's own lockfile names a crate version crates.io no longer
  # serves, so it installs without --locked (TOOLCHAIN.md).
  cargo_tool wasm-bindgen "$bindgen_version" wasm-bindgen-cli
  # It prints no version: cargo's list of installed crates says which one is here.
  if ! cargo install --list | grep -qx "wasm_split_cli_support v$WASM_SPLIT_CLI_VERSION:"; then
    cargo_tool wasm-split-cli "$WASM_SPLIT_CLI_VERSION" wasm_split_cli_support --locked --features build-binary
  fi
}

setup_npm() {
  if ! command -v npm >/dev/null; then
    apt_install nodejs npm
  fi
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "Installing the npm dev packages from package-lock.json (binaryen's wasm-opt, terser, playwright-core, axe-core)"
    npm ci --no-audit --no-fund --loglevel=error || die "npm ci failed; see the messages above"
  fi
}

# release_std COMMAND...: runs COMMAND so that Cargo builds the site's wasm
# with its own copy of the standard library, compiled for size and with
# panics that abort at once (no message formatting: about 40 KB gzip less;
# ARCHITECTURE.md, "Size"). Cargo's build-std is unstable: RUSTC_BOOTSTRAP=1
# lets the pinned stable toolchain (rust-toolchain.toml, with rust-src) use
# it, and the pin keeps these flags' meaning fixed. `--cfg ha_lab_split` makes
# the parts of src/components/lazy.rs split points, and `--emit-relocs` keeps
# the relocations that scripts/split-wasm.mjs needs to split them out. Only
# the release build of the site uses it; every other build and test uses the
# stock library and one module.
release_std() {
  RUSTC_BOOTSTRAP=1 \
    CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
    CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort --cfg ha_lab_split -Clink-arg=--emit-relocs" \
    "$@"
}

setup_crates() {
  # Offline first: it succeeds, silently, when every crate is already here.
  # Fetched under release_std, so that the standard library's own crates
  # (its Cargo.lock, in rust-src) are here too for the offline release build.
  release_std cargo fetch --locked --offline >/dev/null 2>&1 || {
    say "Fetching the crates in Cargo.lock (and the standard library's) from crates.io"
    release_std cargo fetch --locked || die "cargo fetch --locked failed: is Cargo.lock up to date with Cargo.toml?"
  }
}

# apt_install PACKAGE... with sudo when not root.
apt_install() {
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "installing $* needs root or sudo: sudo apt-get install $*"
    sudo=(sudo)
  fi
  say "Installing Debian's $* with apt-get (seconds to a minute)"
  "${sudo[@]}" apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
    die "apt-get install $* failed"
}

setup_chromium() {
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    apt_install chromium chromium-driver
  fi
}

setup_build() {
  setup_rust
  setup_cargo_tools
  setup_npm
  setup_crates
}

setup_tests() {
  setup_build
  setup_chromium
}
