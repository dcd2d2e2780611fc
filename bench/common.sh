# Sourced by the bench scripts: the repository root as ROOT (and the working
# directory), and the ferry binary of PROFILE (release unless set) as BIN,
# built first.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PROFILE=${PROFILE:-release}
if [ "$PROFILE" = release ]; then
    cargo build --release --bin ferry >&2
    BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/ferry
else
    cargo build --bin ferry >&2
    BIN=${CARGO_TARGET_DIR:-$ROOT/target}/debug/ferry
fi
[ -x /usr/bin/time ] || { echo "GNU time is missing: apt-get install -y time" >&2; exit 2; }
