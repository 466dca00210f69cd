#!/usr/bin/env bash
# Measures kpi against DuckDB, a bare csv read and its own earlier figures on the shapes of a
# check-in history the generator writes (`gen_history OUT SCOPES WEEKS --peer | --shuffled`):
#
#   sorted     1M sorted      1,283 scopes x 52 weeks x 15 metrics, in date order (47 MB)
#   shuffled   1M shuffled    the same rows in a fixed random order
#   services   100k services  100,000 scopes x 2 weeks: 3 M rows, 1.5 M series (140 MB)
#   20m        20M rows       25,000 scopes x 52 weeks: 19.5 M rows (910 MB)
#
# For each shape it prints the median wall time of `kpi check FILE --format json`, of the bare
# read (target/release/examples/bare_read) and of scripts/duckdb_peer.sql, the query doing the
# same job in DuckDB; the ratios kpi / DuckDB (goal 0.8) and kpi / bare read (goal 4 on the sorted
# shape), and for the shuffled shape shuffled / sorted kpi (goal 1.5); the peak memory of kpi and
# of DuckDB and kpi's bytes per series (peak memory / (scopes x 15)). With `--baseline BIN` also
# BIN / kpi (an earlier kpi binary's time over today's: above 1 is faster now), and when
# `kpi check --help` offers `--threads`, `--threads 1` / kpi (what the second core gives).
# Once per shape, untimed, it checks that kpi (`--compact`) and DuckDB give the same answers
# (scripts/same_answers.py: the same scopes and metrics, statuses, values within 1e-9 relative),
# and exits 1 at the end when they differ. After the shapes: the startup ratio of `kpi check` on a
# fifteen-row file to `cat` of it (goal 1.5), the size of `--compact` JSON over pretty JSON on the
# 1M sorted shape, and a markdown table for the README with the machine it ran on.
#
# The commands of a shape are timed in rounds, each command's runs right after the other's; a time
# is the median over the rounds of each round's median, and a ratio the median of the rounds'
# ratios (with the lowest and highest), so that a noisy machine slowing down or speeding up
# between rounds moves both sides alike. The shuffled shape's rounds also time kpi on the sorted
# file, for its ratio.
#
#   scripts/bench.sh [--shapes LIST] [--runs N] [--rounds R] [--quick] [--baseline BIN] [--profile]
#
# --shapes is a comma list of sorted, shuffled, services and 20m (default: all four).
# --runs is the number of runs of each command in a round and --rounds the number of rounds: by
# default 10 and 5 on the 1M shapes, 3 and 3 on the larger ones (5 to 10 s a run); --quick makes
# them 3 and 2, and 1 and 1. --runs and --rounds, when given, apply to every shape.
# --baseline BIN times an earlier kpi binary in the same rounds.
# --profile also records where the time goes on the 1M sorted shape with `perf` (or callgrind),
# from a build with symbols.
#
# DuckDB is the `duckdb` on PATH (`pip install duckdb-cli`); without it the DuckDB columns and the
# answers check are left out. `hyperfine` times when installed, else bash; GNU time measures peak
# memory when installed, else /proc is sampled. Generated files stay under target/bench, one per
# generator invocation, reused while the generator's sources and the file's size are unchanged.
# Not part of CI: timings depend on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

usage="usage: scripts/bench.sh [--shapes sorted,shuffled,services,20m] [--runs N] [--rounds R] [--quick] [--baseline BIN] [--profile]"
runs_opt=""
rounds_opt=""
quick=false
shapes=sorted,shuffled,services,20m
baseline=""
profile=false
while (($#)); do
    case $1 in
        --runs) runs_opt=$2; shift 2 ;;
        --rounds) rounds_opt=$2; shift 2 ;;
        --shapes) shapes=$2; shift 2 ;;
        --quick) quick=true; shift ;;
        --baseline) baseline=$2; shift 2 ;;
        --profile) profile=true; shift ;;
        *) echo "$usage" >&2; exit 2 ;;
    esac
done
IFS=, read -r -a shape_list <<<"$shapes"
for shape in "${shape_list[@]}"; do
    case $shape in
        sorted | shuffled | services | 20m) ;;
        *) echo "unknown shape '$shape'; $usage" >&2; exit 2 ;;
    esac
done
if [ -n "$baseline" ]; then
    [ -x "$baseline" ] || { echo "--baseline $baseline: not an executable" >&2; exit 2; }
    [[ $baseline == */* ]] || baseline=./$baseline
fi

dir=target/bench
mkdir -p "$dir"
small=examples/backend-team.csv
kpi=target/release/kpi
bare=target/release/examples/bare_read
gen=target/release/examples/gen_history
query=scripts/duckdb_peer.sql
# kpi appends to these when they are set (in GitHub Actions); a benchmark should not.
unset GITHUB_STEP_SUMMARY GITHUB_OUTPUT

echo "building (release)..." >&2
cargo build --release --locked --quiet --bin kpi --example gen_history --example bare_read

have_duckdb=false
if command -v duckdb >/dev/null; then
    have_duckdb=true
else
    echo "duckdb is not on PATH: the DuckDB columns and the answers check are left out (get it with: pip install duckdb-cli)"
fi
have_python=false
command -v python3 >/dev/null && have_python=true
kpi_help=$("$kpi" check --help)
have_threads=false
[[ $kpi_help == *--threads* ]] && have_threads=true

if ! command -v hyperfine >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "installing hyperfine..." >&2
    apt-get install -y -qq hyperfine >/dev/null 2>&1 || true
fi

# The generator's arguments, the display name and the number of scopes of each shape.
gen_args() {
    case $1 in
        sorted) echo "1283 52 --peer" ;;
        shuffled) echo "1283 52 --shuffled" ;;
        services) echo "100000 2 --peer" ;;
        20m) echo "25000 52 --peer" ;;
    esac
}
label() {
    case $1 in
        sorted) echo "1M sorted" ;;
        shuffled) echo "1M shuffled" ;;
        services) echo "100k services" ;;
        20m) echo "20M rows" ;;
    esac
}

# What the generated files depend on besides the arguments: a change to the generator makes them stale.
gen_sum=$(cat examples/gen_history.rs benches/support/history.rs | sha256sum | cut -c1-16)

# Prints the path of the history of shape $1, generating it unless a file from the same arguments
# and the same generator, of the size it had when written, is there. Its stamp holds
# "ARGS|GENERATOR SUM|BYTES|ROWS".
history() {
    local args file stamp want have
    args=$(gen_args "$1")
    file=$dir/history-${args//--/}.csv
    file=${file// /_}
    stamp=$file.stamp
    want="$args|$gen_sum"
    if [ -f "$file" ] && [ -f "$stamp" ]; then
        have=$(cut -d'|' -f1-3 "$stamp")
        if [ "$have" = "$want|$(wc -c <"$file")" ]; then
            echo "$file"
            return
        fi
    fi
    echo "generating $(label "$1") (gen_history $args)..." >&2
    rm -f "$stamp"
    # shellcheck disable=SC2086 # the arguments are words
    "$gen" "$file.tmp" $args
    mv "$file.tmp" "$file"
    echo "$want|$(wc -c <"$file")|$(($(wc -l <"$file") - 1))" >"$stamp"
    echo "$file"
}
rows_of() { cut -d'|' -f4 "$1.stamp"; }
bytes_of() { cut -d'|' -f3 "$1.stamp"; }

# Prints the median wall time in seconds of each command given (one quoted string each), in order.
medians() {
    if command -v hyperfine >/dev/null; then
        local csv=$dir/hyperfine.csv
        hyperfine --shell=none --style none --warmup "$warmup" --runs "$runs" --ignore-failure \
            --export-csv "$csv" "$@" >/dev/null 2>&1
        # command,mean,stddev,median,user,system,min,max: one line per command (counted from the
        # end, as a command may hold quoted commas)
        tail -n +2 "$csv" | awk -F, '{ print $(NF - 4) }'
    else
        local cmd i start
        for cmd in "$@"; do
            for ((i = 0; i < runs + warmup; i++)); do
                start=$EPOCHREALTIME
                eval "$cmd" >/dev/null 2>&1 || true
                # the first runs warm the caches
                ((i < warmup)) || awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.6f\n", b - a }'
            done | median
        done
    fi
}

# The median of the numbers on standard input, one a line.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Times the commands given in $rounds rounds, all of them in each round, and writes each round's
# medians to $dir/rounds.txt, one line a round, one column a command.
timed() {
    local round
    : >"$dir/rounds.txt"
    for ((round = 0; round < rounds; round++)); do
        medians "$@" | paste -sd' ' >>"$dir/rounds.txt"
    done
}
# The median over the rounds of command $1's medians (counted from 1).
time_of() { awk -v i="$1" '{ print $i }' "$dir/rounds.txt" | median; }
# The median, lowest and highest of the rounds' ratios of command $1 to command $2, on one line.
ratio_of() {
    local rs
    rs=$(awk -v i="$1" -v j="$2" '{ print $i / $j }' "$dir/rounds.txt" | sort -g)
    printf '%.2f %.2f %.2f\n' "$(median <<<"$rs")" "$(head -n 1 <<<"$rs")" "$(tail -n 1 <<<"$rs")"
}

# Prints the peak resident memory of a command in KB.
peak_kb() {
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f "%M" -o "$dir/time.out" "$@" >/dev/null 2>&1 || true
        # the last line: GNU time writes "Command exited with non-zero status" before it
        tail -n 1 "$dir/time.out"
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
        echo "$hwm"
    fi
}
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t) ? "meets" : "MISSES" }'; }
# A time in seconds as the table shows it.
ms() { awk -v t="$1" 'BEGIN { if (t >= 1) printf "%.2f s", t; else if (t >= 0.1) printf "%.0f ms", t * 1000; else printf "%.1f ms", t * 1000 }'; }
# "median (rounds lo to hi[; goal G: verdict])" of a ratio_of line, then the goal.
said() {
    local r lo hi
    read -r r lo hi <<<"$1"
    printf '%sx   (rounds %sx to %sx' "$r" "$lo" "$hi"
    if [ -n "${2:-}" ]; then printf '; goal %sx: %s)' "$2" "$(verdict "$r" "$2")"; else printf ')'; fi
}

# One line of a shape's times: name, seconds, peak KB (or nothing), for $rows rows of $bytes bytes.
line() {
    awk -v n="$1" -v t="$2" -v r="$rows" -v b="$bytes" -v m="$3" 'BEGIN {
        printf "  %-30s %7.1f ms %16.0f %10.0f", n, t * 1000, r / t, b / 1e6 / t
        if (m != "") printf " %9.1f MB", m / 1024
        printf "\n" }'
}
# The median of a ratio_of line, for the table, or a dash when there is none.
first() { if [ -n "$1" ]; then echo "${1%% *}x"; else echo "—"; fi; }

# Runs kpi (`--compact`) and the DuckDB query once on file $1 and compares their answers.
answers() {
    local out=$dir/answers-duckdb.jsonl
    if ! $have_duckdb; then
        echo "  answers:            not checked (no duckdb)"
        return
    fi
    if ! $have_python; then
        echo "  answers:            not checked (no python3)"
        return
    fi
    duckdb -cmd "SET VARIABLE f='$1'" -f "$query" >"$out"
    # kpi exits 1 when the gate fails, as it does on these files
    if { "$kpi" check "$1" --format json --compact || [ $? = 1 ]; } |
        python3 scripts/same_answers.py - "$out" | sed 's/^/  /'; then
        :
    else
        differ=true
    fi
    rm -f "$out"
}

differ=false
table=()
for shape in "${shape_list[@]}"; do
    name=$(label "$shape")
    file=$(history "$shape")
    rows=$(rows_of "$file")
    bytes=$(bytes_of "$file")
    read -r scopes _ <<<"$(gen_args "$shape")"
    series=$((scopes * 15))
    case $shape in
        sorted | shuffled) runs=10 rounds=5 warmup=2; $quick && runs=3 rounds=2 ;;
        *) runs=3 rounds=3 warmup=1; $quick && runs=1 rounds=1 ;;
    esac
    [ -n "$runs_opt" ] && runs=$runs_opt
    [ -n "$rounds_opt" ] && rounds=$rounds_opt

    echo
    echo "== $name: $file, $rows rows, $series series, $(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB"
    answers "$file"

    # The commands of the rounds, and which column each one's times are.
    cmds=("$kpi check $file --format json" "$bare $file")
    c_kpi=1 c_bare=2 c_duck="" c_sorted="" c_one="" c_base=""
    if $have_duckdb; then cmds+=("duckdb -cmd \"SET VARIABLE f='$file'\" -f $query"); c_duck=${#cmds[@]}; fi
    if [ "$shape" = shuffled ]; then
        sorted_file=$(history sorted)
        cmds+=("$kpi check $sorted_file --format json"); c_sorted=${#cmds[@]}
    fi
    if $have_threads; then cmds+=("$kpi check $file --format json --threads 1"); c_one=${#cmds[@]}; fi
    if [ -n "$baseline" ]; then cmds+=("$baseline check $file --format json"); c_base=${#cmds[@]}; fi
    echo "timing $name ($rounds rounds of $runs runs of ${#cmds[@]} commands)..." >&2
    timed "${cmds[@]}"

    t_kpi=$(time_of "$c_kpi")
    t_bare=$(time_of "$c_bare")
    mem_kpi=$(peak_kb "$kpi" check "$file" --format json)
    per_series=$(awk -v k="$mem_kpi" -v s="$series" 'BEGIN { printf "%.0f", k * 1024 / s }')
    printf '  %-30s %10s %16s %10s %12s\n' "" "median" "rows/s" "MB/s" "peak memory"
    line "kpi check --format json" "$t_kpi" "$mem_kpi"
    line "bare csv read" "$t_bare" ""
    if [ -n "$c_duck" ]; then
        t_duck=$(time_of "$c_duck")
        mem_duck=$(peak_kb duckdb -cmd "SET VARIABLE f='$file'" -f "$query")
        line "DuckDB" "$t_duck" "$mem_duck"
    fi
    [ -n "$c_sorted" ] && line "kpi, the same rows sorted" "$(time_of "$c_sorted")" ""
    [ -n "$c_one" ] && line "kpi --threads 1" "$(time_of "$c_one")" ""
    [ -n "$c_base" ] && line "baseline kpi" "$(time_of "$c_base")" ""

    r_duck="" r_shuf="" r_one="" r_base=""
    goal_bare=""
    [ "$shape" = sorted ] && goal_bare=4
    r_bare=$(ratio_of "$c_kpi" "$c_bare")
    if [ -n "$c_duck" ]; then
        r_duck=$(ratio_of "$c_kpi" "$c_duck")
        echo "  kpi / DuckDB:                $(said "$r_duck" 0.8)"
    fi
    echo "  kpi / bare read:             $(said "$r_bare" "$goal_bare")"
    if [ -n "$c_sorted" ]; then
        r_shuf=$(ratio_of "$c_kpi" "$c_sorted")
        echo "  shuffled / sorted, kpi:      $(said "$r_shuf" 1.5)"
    fi
    if [ -n "$c_one" ]; then
        r_one=$(ratio_of "$c_one" "$c_kpi")
        echo "  --threads 1 / both cores:    $(said "$r_one")"
    fi
    if [ -n "$c_base" ]; then
        r_base=$(ratio_of "$c_base" "$c_kpi")
        echo "  baseline / kpi:              $(said "$r_base")"
    fi
    printf '  peak memory:                 kpi %s MB, %s B/series' "$(mb "$mem_kpi")" "$per_series"
    [ "$shape" = sorted ] && printf ' (goal 64 MB: %s)' "$(verdict "$(mb "$mem_kpi")" 64)"
    [ -n "$c_duck" ] && printf '; DuckDB %s MB' "$(mb "$mem_duck")"
    echo

    if [ "$shape" = sorted ]; then
        pretty=$({ "$kpi" check "$file" --format json || true; } | wc -c)
        compact=$({ "$kpi" check "$file" --format json --compact || true; } | wc -c)
    fi

    # shape | rows | series | kpi | DuckDB | kpi/DuckDB | shuffled/sorted | kpi/bare | peak MB kpi | B/series | vs baseline | 1 thread
    row="| $name | $(awk -v n="$rows" 'BEGIN { printf "%.2f M", n / 1e6 }') | $(awk -v n="$series" 'BEGIN { printf (n >= 1e6) ? "%.2f M" : "%.1f k", (n >= 1e6) ? n / 1e6 : n / 1e3 }') | $(ms "$t_kpi")"
    $have_duckdb && row+=" | $(ms "$t_duck") | $(first "$r_duck")"
    row+=" | $(first "$r_shuf") | $(first "$r_bare") | $(mb "$mem_kpi") | $per_series | $(first "$r_base")"
    $have_threads && row+=" | $(first "$r_one")"
    table+=("$row |")
done

echo "timing startup..." >&2
runs=10 rounds=5 warmup=2
$quick && runs=3 rounds=2
[ -n "$runs_opt" ] && runs=$runs_opt
[ -n "$rounds_opt" ] && rounds=$rounds_opt
timed "$kpi check $small" "cat $small"
t_start=$(time_of 1)
t_cat=$(time_of 2)
echo
awk -v a="$t_start" -v b="$t_cat" 'BEGIN {
    printf "kpi check (15 rows):           %.2f ms\ncat (15 rows):                 %.2f ms\n", a * 1000, b * 1000 }'
echo "startup, kpi / cat:            $(said "$(ratio_of 1 2)" 1.5)"
if [ -n "${pretty:-}" ]; then
    echo "JSON, --compact / pretty:      $(awk -v a="$compact" -v b="$pretty" 'BEGIN { printf "%.2fx (%.1f MB / %.1f MB, 1M sorted)", a / b, a / 1e6, b / 1e6 }')"
fi

cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
machine="$(nproc) cores, $cpu, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
timer="$(command -v hyperfine >/dev/null && echo hyperfine || echo bash), $([ -x /usr/bin/time ] && echo "GNU time" || echo "sampled /proc") for memory"
echo
header="| shape | rows | series | kpi"
rule="|---|---:|---:|---:"
$have_duckdb && header+=" | DuckDB | kpi/DuckDB" rule+="|---:|---:"
header+=" | shuffled/sorted | kpi/bare | peak MB kpi | B/series | vs baseline"
rule+="|---:|---:|---:|---:|---:"
$have_threads && header+=" | 1 thread/kpi" rule+="|---:"
echo "$header |"
echo "$rule|"
printf '%s\n' "${table[@]}"
echo
echo "machine: $machine; $timer$($have_duckdb && echo "; DuckDB $(duckdb --version | cut -d' ' -f1)")$([ -n "$baseline" ] && echo "; baseline $baseline")"

if $profile; then
    echo
    echo "profiling (build with symbols)..." >&2
    big=$(history sorted)
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

if $differ; then
    echo "kpi and DuckDB gave different answers (above)" >&2
    exit 1
fi
