#!/usr/bin/env bash
# Regenerates the coverage reports under tests/fixtures/collect/coverage/ with the real tools, from
# the tiny programs in tests/fixtures/collect/coverage/src/, and beside each report the tool's own
# summary of it (which the tests compare kpi's value with).
#
# Needs: gcc, lcov, gcovr, coverage (coverage.py), go, clang-14, llvm-profdata-14, llvm-cov-14.
# `.ci/run` installs them all (Debian packages, and gcovr and coverage.py in target/ci-venv); put
# target/ci-venv/bin on PATH first, or let this script do it when that venv exists.
#
# The tools are run in a fixed scratch directory, so the paths inside the reports stay the same
# from one regeneration to the next.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/tests/fixtures/collect/coverage"
src="$out/src"
work=${KPI_FIXTURE_WORK:-/tmp/kpi-coverage-fixtures}
[ -d "$root/target/ci-venv/bin" ] && export PATH="$root/target/ci-venv/bin:$PATH"
for tool in gcc lcov gcovr coverage go clang-14 llvm-profdata-14 llvm-cov-14; do
  command -v "$tool" >/dev/null || { echo "make-collect-fixtures-coverage: $tool is not installed" >&2; exit 1; }
done
rm -rf "$work"
mkdir -p "$work"
export LC_ALL=C

# C with gcc --coverage: lcov, then gcovr's Cobertura, JaCoCo and JSON reports of the same run.
mkdir "$work/c"
cp "$src/c/calc.c" "$work/c/"
(
  cd "$work/c"
  gcc --coverage -O0 -o calc calc.c
  ./calc 5 -3 250 >/dev/null
  lcov --quiet --rc lcov_branch_coverage=1 --capture --directory . --output-file lcov.info
  lcov --rc lcov_branch_coverage=1 --summary lcov.info >lcov.summary.txt 2>&1
  gcovr --root . --cobertura-pretty --cobertura cobertura.xml --jacoco-pretty --jacoco jacoco.xml \
    --json-pretty --json gcovr.json
  gcovr --root . --print-summary --txt /dev/null >gcovr.summary.txt
  # lcov --capture (1.16, gcc 12) writes no LF/LH summary lines; `lcov -a` writes them.
  lcov --quiet --rc lcov_branch_coverage=1 -a lcov.info --output-file lcov-merged.info
  lcov --rc lcov_branch_coverage=1 --summary lcov-merged.info >lcov-merged.summary.txt 2>&1
  # A second run, captured on its own, then the two tracefiles concatenated, as CI jobs often
  # do: calc.c is listed twice, its lines with different counts.
  lcov --quiet --zerocounters --directory .
  ./calc 100 100 100 100 100 100 100 100 100 100 100 >/dev/null
  lcov --quiet --rc lcov_branch_coverage=1 --capture --directory . --output-file second.info
  cat lcov.info second.info >lcov-concatenated.info
  lcov --rc lcov_branch_coverage=1 --summary lcov-concatenated.info >lcov-concatenated.summary.txt 2>&1
  # The tracefile without its final end_of_record, as some other writers leave it. lcov drops
  # such a record ("no valid records found"); kpi counts it, so its summary is lcov.summary.txt.
  sed '$ d' lcov.info >lcov-no-end.info
  cp lcov.info lcov.summary.txt lcov-merged.info lcov-merged.summary.txt lcov-concatenated.info \
    lcov-concatenated.summary.txt lcov-no-end.info \
    cobertura.xml jacoco.xml gcovr.json gcovr.summary.txt "$out/"
)

# C with clang's source-based coverage: llvm-cov export and llvm-cov report of the same profile.
mkdir "$work/llvm"
cp "$src/c/calc.c" "$work/llvm/"
(
  cd "$work/llvm"
  clang-14 -fprofile-instr-generate -fcoverage-mapping -O0 -o calc calc.c
  LLVM_PROFILE_FILE=calc.profraw ./calc 5 -3 250 >/dev/null
  llvm-profdata-14 merge -sparse calc.profraw -o calc.profdata
  llvm-cov-14 export -format=text -instr-profile=calc.profdata ./calc >llvm-cov.json
  llvm-cov-14 report -instr-profile=calc.profdata ./calc >llvm-cov.report.txt
  cp llvm-cov.json llvm-cov.report.txt "$out/"
)

# Python with coverage.py, measuring branches too (so its percent_covered mixes them in).
mkdir "$work/py"
cp "$src/py/calc.py" "$src/py/test_calc.py" "$work/py/"
(
  cd "$work/py"
  coverage run --branch -m unittest -q test_calc 2>/dev/null
  coverage json --pretty-print -o coverage.json >/dev/null
  coverage report >coverage.report.txt
  # The same data as coverage.py writes it in the other formats kpi reads.
  coverage xml -o coverage-py.xml >/dev/null
  coverage lcov -o coverage-py.info >/dev/null
  cp coverage.json coverage.report.txt coverage-py.xml coverage-py.info "$out/"
)

# Go: two packages, run with -coverpkg=./... so the profile lists calc's blocks once per package.
cp -r "$src/go" "$work/go"
(
  cd "$work/go"
  export GOFLAGS=-mod=mod GOPROXY=off GOPATH="$work/gopath" GOCACHE="$work/gocache" GOTOOLCHAIN=local
  go test -coverpkg=./... -coverprofile=cover.out ./... >/dev/null
  go tool cover -func=cover.out >cover.func.txt
  cp cover.out cover.func.txt "$out/"
)
chmod -R u+w "$work" && rm -rf "$work"
echo "wrote the coverage fixtures to ${out#"$root"/}"
