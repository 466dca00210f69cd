#!/usr/bin/env bash
# Regenerates tests/fixtures/collect/loc/ from its small source tree src/ (Python, C, shell, and
# Markdown with an embedded Rust block). Needs cloc (Debian package `cloc`) and tokei
# (`cargo install --locked tokei --version 15.0.0`) on PATH.
set -euo pipefail
cd "$(dirname "$0")/../tests/fixtures/collect/loc"
cloc --json src > cloc.json
cloc --json --by-file src > cloc-by-file.json
tokei --output json src > tokei.json
# The tools' own summaries of the same tree, which the tests hold kpi's values to.
cloc src > cloc.txt
tokei src > tokei.txt
{ echo "cloc $(cloc --version)"; tokei --version; } > versions.txt
