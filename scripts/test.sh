# The test layers of HA Lab, in the order ./lab test runs them. Sourced by ./lab.
# Each layer is a function `layer_<name>`; LAYERS lists them with a description.
# The run stops at the first failing layer and ends with "N passed, N failed".

# shellcheck shell=bash

LAYERS=(
  "fmt:formatting (cargo fmt --check)"
  "clippy:lints, native (cargo clippy -D warnings)"
  "clippy-wasm:lints, wasm32, also as ./lab build compiles it (cargo clippy -D warnings)"
  "native:native tests of the whole workspace (cargo test)"
  "sim-wasm:ha-sim builds for wasm32 with no web dependency"
  "browser:component tests in headless Chromium (wasm-bindgen-test)"
  "build:release build of the site (trunk build --release)"
  "e2e:end-to-end specs against dist/ (playwright-core + Chromium)"
  "size:first-load size budget of dist/ (gzip -9)"
  "bench:simulation speed, printed (ha-sim bench, release build)"
)

WASM=wasm32-unknown-unknown

layer_fmt() { cargo fmt --all -- --check; }

layer_clippy() { cargo clippy --workspace --all-targets --locked -- -D warnings; }

# Then the site as ./lab build compiles it, with its split points
# (src/components/lazy.rs), in a target folder of its own: other flags
# would rebuild the first check's.
layer_clippy-wasm() {
  cargo clippy --workspace --all-targets --locked --target "$WASM" -- -D warnings &&
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--cfg ha_lab_split" \
      cargo clippy -p ha-lab --lib --locked --target "$WASM" --target-dir target/clippy-split -- -D warnings
}

layer_native() { cargo test --workspace --locked; }

layer_sim-wasm() {
  cargo build -p ha-sim --lib --locked --target "$WASM" || return 1
  # The simulation must stay free of the browser (ARCHITECTURE.md).
  local web
  web=$(cargo tree -p ha-sim --target "$WASM" --edges normal --prefix none --locked |
    grep -E '^(wasm-bindgen|web-sys|js-sys|yew|gloo|getrandom) ' || true)
  if [ -n "$web" ]; then
    printf 'ha-sim depends on web crates, which the architecture forbids:\n%s\n' "$web" >&2
    return 1
  fi
  echo "ha-sim builds for $WASM and depends on no web crate."
}

layer_browser() {
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    cargo test --locked --target "$WASM" --test browser
}

layer_build() { release_std trunk build --release; }

layer_e2e() {
  [ -f dist/index.html ] || {
    echo "dist/ has no build: run ./lab test build first" >&2
    return 1
  }
  node --test --test-reporter=spec tests/e2e/*.spec.mjs
}

layer_size() { scripts/size-budget.sh dist size-budget.toml; }

layer_bench() { cargo run --release --locked --quiet -p ha-sim -- bench; }

# run_layers [NAME...]: runs the named layers (all when none), in LAYERS order.
run_layers() {
  local wanted=("$@") selected=() entry name
  for entry in "${LAYERS[@]}"; do
    name=${entry%%:*}
    if [ ${#wanted[@]} -eq 0 ] || [[ " ${wanted[*]} " == *" $name "* ]]; then
      selected+=("$entry")
    fi
  done
  for name in "${wanted[@]}"; do
    if ! printf '%s\n' "${LAYERS[@]}" | grep -q "^$name:"; then
      die "unknown test layer '$name'; the layers are: $(printf '%s ' "${LAYERS[@]%%:*}")"
    fi
  done

  local passed=0 failed=0 i=0 start status
  for entry in "${selected[@]}"; do
    i=$((i + 1))
    name=${entry%%:*}
    printf '\n%s── [%d/%d] %s: %s%s\n' "$BOLD" "$i" "${#selected[@]}" "$name" "${entry#*:}" "$RESET"
    start=$SECONDS
    set +e
    "layer_$name"
    status=$?
    set -e
    if [ "$status" -eq 0 ]; then
      passed=$((passed + 1))
      printf '%s── %s passed%s (%ds)\n' "$GREEN" "$name" "$RESET" $((SECONDS - start))
    else
      failed=$((failed + 1))
      printf '\n%s── %s FAILED%s (%ds, exit %d): %s\n' "$RED" "$name" "$RESET" $((SECONDS - start)) "$status" "${entry#*:}"
      local rest=("${selected[@]:$i}")
      if [ ${#rest[@]} -gt 0 ]; then
        printf 'Not run after this failure: %s\n' "$(printf '%s ' "${rest[@]%%:*}")"
      fi
      break
    fi
  done
  printf '\n%d passed, %d failed\n' "$passed" "$failed"
  [ "$failed" -eq 0 ]
}
