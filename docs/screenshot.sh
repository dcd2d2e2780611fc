#!/usr/bin/env bash
# The README's screenshot of the review page (docs/review-page.png): runs the
# browser test, which saves the page when FERRY_SCREENSHOT is set.
# Needs chromium and chromium-driver (apt-get install -y chromium chromium-driver).
set -euo pipefail
cd "$(dirname "$0")/.."
FERRY_SCREENSHOT="$PWD/docs/review-page.png" cargo test --quiet --test cli browser:: >&2
echo "wrote docs/review-page.png"
