# Shared settings for the scripts in this folder (sourced, not run).
# The build cache lives outside the clone so a fresh clone on the same machine
# (CI, a new session) reuses the expensive candle build; a fresh machine simply
# builds it once.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ltmc/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo is not installed" >&2
  echo "hint: install Rust from https://rustup.rs" >&2
  exit 1
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "error: python3 is not installed; ltmc fetches its model with pip" >&2
  echo "hint: apt-get install python3 python3-pip" >&2
  exit 1
fi
