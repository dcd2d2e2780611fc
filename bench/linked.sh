#!/usr/bin/env bash
# Linked files: `ferry check`, `ferry pack` and `ferry import` of generated
# contacts, each with one address and one phone row in child files (the
# bundled three-table template), at two sizes to show how memory grows; then
# `ferry import` of one flat contacts file with as many rows as the three
# files together, in the same run, and the linked import's rows per second
# as a share of the flat one's (goal ≥ 80 %).
#
#   bench/linked.sh                  # 200,000 and 600,000 contacts, release build
#   ROWS=50000 bench/linked.sh       # smaller (and three times that)
#   PROFILE=debug bench/linked.sh    # without a release build (slow, for a smoke run)
#   FERRY_BIN=/tmp/ferry-old bench/linked.sh   # another binary (before/after in one session)
#
# Needs: cargo, awk, GNU time (/usr/bin/time).
set -euo pipefail

ROWS=${ROWS:-200000}
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"
# FERRY_BIN=path runs another build (an earlier one, to compare in the same session).
BIN=${FERRY_BIN:-$BIN}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
MAPPING="$ROOT/templates/mappings/three-tables.json"

generate() { # contacts dir
    mkdir -p "$2"
    awk -v n="$1" 'BEGIN {
        print "CONTACT_ID,SALUTATION,FIRST_NAME,LAST_NAME,BIRTH_DATE,GENDER,COMPANY,JOB_TITLE,EMAIL,DO_NOT_CALL,LAST_CONTACT,NOTES,INCOME,CHILDREN,SPOUSE"
        for (i = 0; i < n; i++)
            printf "C%d,Mr,First%d,Last%d,%02d/%02d/19%02d,M,Company %d,Manager,p%d@example.com,N,2024-03-15 14:30,Some notes here,85000.00,2,Laura\n",
                i, i, i % 5000, 1 + i % 28, 1 + i % 12, 50 + i % 50, i % 100, i
    }' > "$2/contacts.csv"
    awk -v n="$1" 'BEGIN {
        print "ADDRESS_ID,CONTACT_ID,STREET1,STREET2,CITY,PROVINCE,POSTAL_CODE,COUNTRY,IS_PRIMARY"
        for (i = 0; i < n; i++)
            printf "A%d,C%d,%d King St W,Apt 1,Toronto,ON,M5V 2T6,Canada,Y\n", i, i, i % 900
    }' > "$2/addresses.csv"
    awk -v n="$1" 'BEGIN {
        print "PHONE_ID,CONTACT_ID,WORK_PHONE,WORK_EXT,HOME_PHONE,MOBILE_PHONE,FAX"
        for (i = 0; i < n; i++)
            printf "P%d,C%d,+1 416-555-%04d,100,(416) 555-%04d,416.555.%04d,\n", i, i, i % 10000, (i + 1) % 10000, (i + 2) % 10000
    }' > "$2/phones.csv"
}


# prints the line; leaves the seconds in $SECS
measure() { # label command…
    local label=$1; shift
    /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" > /dev/null
    read -r SECS kb < "$WORK/time.txt"
    printf "  %-8s %7.2f s %8.1f MiB peak\n" "$label" "$SECS" "$(echo "$kb / 1024" | bc -l)"
}

run_size() { # contacts
    local dir="$WORK/$1"
    generate "$1" "$dir/data"
    echo "$1 contacts, $1 addresses, $1 phones ($(du -sm "$dir/data" | cut -f1) MB):"
    measure check "$BIN" check --quiet --data "$dir/data" --mapping "$MAPPING"
    measure pack "$BIN" pack --quiet --data "$dir/data" --mapping "$MAPPING" --out "$dir/pkg.zip"
    measure import "$BIN" import --quiet --db "$dir/ferry.db" "$dir"/pkg*.zip
    local linked_secs=$SECS rows=$(($1 * 3))
    flat_contacts "$rows" "$dir/flat"
    "$BIN" pack --quiet --data "$dir/flat" --mapping "$ROOT/test-data/runner/simple-contacts.json" --out "$dir/flat.zip" > /dev/null
    echo "$rows rows in one flat file:"
    measure import "$BIN" import --quiet --db "$dir/flat.db" "$dir"/flat*.zip
    printf "  linked %.0f rows/s, flat %.0f rows/s: linked at %.0f %% of flat\n" \
        "$(echo "$rows / $linked_secs" | bc -l)" "$(echo "$rows / $SECS" | bc -l)" "$(echo "100 * $SECS / $linked_secs" | bc -l)"
    rm -rf "$dir"
}

echo "linked files ($PROFILE build, $(nproc) cores)"
run_size "$ROWS"
run_size $((ROWS * 3))
