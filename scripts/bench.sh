#!/usr/bin/env bash
# Measures kpi on a generated one-million-row check-in history and prints throughput, peak memory,
# the wall-time ratio of `kpi check FILE --format json` to a bare csv read of the same file, and the
# startup ratio of `kpi check` on a fifteen-row file to `cat` of it. Each pair is timed in several
# rounds, one side right after the other; a ratio is the median of the rounds' ratios of medians,
# so that a noisy machine slowing down or speeding up between rounds moves both sides alike.
#
#   scripts/bench.sh [--runs N] [--rounds R] [--profile]
#
# --runs is the number of runs of each command in a round (default 10), --rounds the number of
# rounds (default 5).
# --profile also records where the time goes with `perf` (or callgrind), from a build with symbols.
# Not part of CI: timings depend on the machine. Generated files stay under target/bench.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=10
rounds=5
profile=false
while (($#)); do
    case $1 in
        --runs) runs=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --profile) profile=true; shift ;;
        *) echo "usage: scripts/bench.sh [--runs N] [--rounds R] [--profile]" >&2; exit 2 ;;
    esac
done

dir=target/bench
mkdir -p "$dir"
big=$dir/history.csv
shuffled=$dir/history-shuffled.csv
small=examples/backend-team.csv
kpi=target/release/kpi
bare=target/release/examples/bare_read

echo "building (release)..." >&2
cargo build --release --locked --quiet --bin kpi --example gen_history --example bare_read
target/release/examples/gen_history "$big"
# The same rows in no order at all (the same order every time): the reader's worst case.
{ head -n 1 "$big"; tail -n +2 "$big" | shuf --random-source=<(yes); } >"$shuffled"
rows=$(($(wc -l <"$big") - 1))
bytes=$(wc -c <"$big")

if ! command -v hyperfine >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "installing hyperfine..." >&2
    apt-get install -y -qq hyperfine >/dev/null 2>&1 || true
fi

# Prints the median wall time in seconds of each command given (one quoted string each), in order.
medians() {
    if command -v hyperfine >/dev/null; then
        local csv=$dir/hyperfine.csv
        hyperfine --shell=none --style none --warmup 2 --runs "$runs" --ignore-failure \
            --export-csv "$csv" "$@" >/dev/null 2>&1
        # command,mean,stddev,median,user,system,min,max: one line per command
        tail -n +2 "$csv" | awk -F, '{ print $4 }'
    else
        local cmd i start
        for cmd in "$@"; do
            for ((i = 0; i < runs + 2; i++)); do
                start=$EPOCHREALTIME
                $cmd >/dev/null 2>&1 || true
                # the first two runs warm the caches
                ((i < 2)) || awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.6f\n", b - a }'
            done | sort -n | awk '{ t[NR] = $1 } END { print (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2 }'
        done
    fi
}

# Prints the peak resident memory of a command in MB.
peak_mb() {
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f "%M" -o "$dir/time.out" "$@" >/dev/null 2>&1 || true
        # the last line: GNU time writes "Command exited with non-zero status" before it
        tail -n 1 "$dir/time.out" | awk '{ printf "%.1f", $1 / 1024 }'
    else
        # Without GNU time: sample the high-water mark while the command runs.
        "$@" >/dev/null 2>&1 &
        local pid=$! hwm=0 now
        while kill -0 "$pid" 2>/dev/null; do
            now=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
            [ -n "$now" ] && hwm=$now
            sleep 0.01
        done
        wait "$pid" || true
        awk -v k="$hwm" 'BEGIN { printf "%.1f (sampled)", k / 1024 }'
    fi
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# The median of the numbers on standard input, one a line.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Times two commands in $rounds rounds and prints the median over the rounds of each one's median,
# then the median, lowest and highest of the rounds' ratios (first to second).
paired() {
    local round a b as=() bs=() rs=()
    for ((round = 0; round < rounds; round++)); do
        read -r a b < <(medians "$1" "$2" | paste -sd' ')
        as+=("$a") bs+=("$b") rs+=("$(awk -v a="$a" -v b="$b" 'BEGIN { print a / b }')")
    done
    printf '%s\n' "${as[@]}" | median
    printf '%s\n' "${bs[@]}" | median
    printf '%s\n' "${rs[@]}" | median
    printf '%s\n' "${rs[@]}" | sort -g | sed -n '1p;$p'
}
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t) ? "meets" : "MISSES" }'; }

echo "timing ($rounds rounds of $runs runs each)..." >&2
read -r t_kpi t_bare r_wall r_wall_lo r_wall_hi < <(paired "$kpi check $big --format json" "$bare $big" | paste -sd' ')
read -r t_start t_cat r_start r_start_lo r_start_hi < <(paired "$kpi check $small" "cat $small" | paste -sd' ')
mem_kpi=$(peak_mb "$kpi" check "$big" --format json)
mem_bare=$(peak_mb "$bare" "$big")
t_shuffled=$(medians "$kpi check $shuffled --format json")
mem_shuffled=$(peak_mb "$kpi" check "$shuffled" --format json)
r_wall=$(ratio "$r_wall" 1) r_wall_lo=$(ratio "$r_wall_lo" 1) r_wall_hi=$(ratio "$r_wall_hi" 1)
r_start=$(ratio "$r_start" 1) r_start_lo=$(ratio "$r_start_lo" 1) r_start_hi=$(ratio "$r_start_hi" 1)

cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
echo
echo "machine:  $(nproc) cores, $cpu, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
echo "input:    $big: $rows rows, $(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB"
echo "timer:    $(command -v hyperfine >/dev/null && echo hyperfine || echo bash), $rounds rounds of $runs runs, medians"
echo
printf '%-34s %10s %14s %10s %12s\n' "" "median" "rows/s" "MB/s" "peak memory"
for row in "kpi check --format json|$t_kpi|$mem_kpi" "bare csv read|$t_bare|$mem_bare" \
    "kpi check, the rows shuffled|$t_shuffled|$mem_shuffled"; do
    IFS='|' read -r name t mem <<<"$row"
    awk -v n="$name" -v t="$t" -v r="$rows" -v b="$bytes" -v m="$mem" 'BEGIN {
        printf "%-34s %8.1f ms %14.0f %10.0f %9s MB\n", n, t * 1000, r / t, b / 1e6 / t, m }'
done
awk -v a="$t_start" -v b="$t_cat" 'BEGIN {
    printf "%-34s %8.2f ms\n%-34s %8.2f ms\n", "kpi check (15 rows)", a * 1000, "cat (15 rows)", b * 1000 }'
echo
echo "wall time, kpi / bare read:   ${r_wall}x   (rounds ${r_wall_lo}x to ${r_wall_hi}x; target 4x: $(verdict "$r_wall" 4))"
echo "startup, kpi / cat:           ${r_start}x   (rounds ${r_start_lo}x to ${r_start_hi}x; target 2x: $(verdict "$r_start" 2))"
echo "peak memory:                  ${mem_kpi} MB   (target 64 MB: $(verdict "${mem_kpi%% *}" 64))"

if $profile; then
    echo
    echo "profiling (build with symbols)..." >&2
    cargo build --profile profiling --locked --quiet --bin kpi
    if command -v perf >/dev/null; then
        perf record -q -g -o "$dir/perf.data" target/profiling/kpi check "$big" --format json \
            >/dev/null 2>&1 || true
        perf report -i "$dir/perf.data" --no-children --sort symbol --stdio 2>/dev/null |
            grep -E '^ +[0-9.]+%' | head -25
    elif command -v valgrind >/dev/null; then
        valgrind --tool=callgrind --callgrind-out-file="$dir/callgrind.out" \
            target/profiling/kpi check "$big" --format json >/dev/null 2>&1 || true
        callgrind_annotate "$dir/callgrind.out" 2>/dev/null | head -40
    else
        echo "neither perf nor valgrind is installed; nothing to profile with" >&2
    fi
fi
