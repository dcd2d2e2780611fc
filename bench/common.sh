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

# Writes DIR/contacts.csv: ROWS generated flat contacts (bench/import.sh, bench/linked.sh).
flat_contacts() { # rows dir
    mkdir -p "$2"
    awk -v n="$1" 'BEGIN {
        print "ID,First Name,Last Name,Birth Date,Email,Phone,City,Zip"
        for (i = 0; i < n; i++)
            printf "C%d,First%d,Last%d,19%02d-%02d-%02d,p%d@example.com,+1 416 555 %04d,Toronto,M5V %03d\n",
                i, i % 997, i % 1999, 50 + i % 50, 1 + i % 12, 1 + i % 28, i, i % 10000, i % 1000
    }' > "$2/contacts.csv"
}
