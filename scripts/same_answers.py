#!/usr/bin/env python3
"""Checks that `kpi check --format json` and scripts/duckdb_peer.sql gave the same answers.

    scripts/same_answers.py KPI_JSON DUCKDB_JSONL      (either may be `-`, standard input)

KPI_JSON is kpi's report, pretty or `--compact`; its `results[]` entries carry `scope`, `id`,
`status` and `value`. DUCKDB_JSONL has one object a line with `scope`, `metric`, `status` and `v`.
The answers are the same when both hold the same (scope, metric) pairs, each with the same status
and values equal within 1e-9 relative. Prints `answers: same (N results)`, or the first
differences and exits 1. Only the standard library: kpi's report is read a piece at a time (the
results one by one), so a report of a gigabyte or more needs memory only for DuckDB's answers.
"""

import json
import math
import sys

CHUNK = 1 << 22
SHOWN = 10
REL = 1e-9


class Stream:
    """Decodes one JSON value after another from a file without reading it whole."""

    def __init__(self, file):
        self.file, self.buf, self.pos, self.eof = file, "", 0, False
        self.decoder = json.JSONDecoder()

    def fill(self):
        more = self.file.read(max(CHUNK, len(self.buf) - self.pos))
        self.buf = self.buf[self.pos:] + more
        self.pos = 0
        self.eof = not more
        return bool(more)

    def peek(self):
        """The next character that is not white space, or '' at the end."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buf) or not self.fill():
                return self.buf[self.pos:self.pos + 1]

    def expect(self, char):
        if self.peek() != char:
            raise ValueError(f"expected {char!r}, found {self.peek()!r} in kpi's JSON")
        self.pos += 1

    def value(self):
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
                # A number that ends the buffer may go on in the next chunk.
                if end < len(self.buf) or self.eof:
                    self.pos = end
                    return value
            except json.JSONDecodeError:
                if self.eof:
                    raise
            self.fill()


def kpi_results(file):
    """Yields the entries of the top-level `results` array of kpi's report, one at a time."""
    s = Stream(file)
    s.expect("{")
    while s.peek() != "}":
        key = s.value()
        s.expect(":")
        if key == "results":
            s.expect("[")
            while s.peek() != "]":
                yield s.value()
                if s.peek() == ",":
                    s.pos += 1
            s.pos += 1
        else:
            s.value()
        if s.peek() == ",":
            s.pos += 1


def same_value(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=REL, abs_tol=0.0)


def opened(path):
    return sys.stdin if path == "-" else open(path, encoding="utf-8")


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: same_answers.py KPI_JSON DUCKDB_JSONL")
    peer = {}
    with opened(sys.argv[2]) as duck:
        for line in duck:
            if line.strip():
                row = json.loads(line)
                peer[(row["scope"], sys.intern(row["metric"]))] = (row["status"], row["v"])
    differences, shown, n = 0, [], 0

    def differ(text):
        nonlocal differences
        differences += 1
        if len(shown) < SHOWN:
            shown.append(text)

    try:
        with opened(sys.argv[1]) as report:
            for result in kpi_results(report):
                n += 1
                key = (result.get("scope"), result.get("id"))
                status, value = result.get("status"), result.get("value")
                if key not in peer:
                    differ(f"{key[0]} {key[1]}: kpi {status} {value}, DuckDB has no answer")
                    continue
                peer_status, peer_value = peer.pop(key)
                if status != peer_status or not same_value(value, peer_value):
                    differ(f"{key[0]} {key[1]}: kpi {status} {value}, DuckDB {peer_status} {peer_value}")
    except (ValueError, KeyError) as error:
        differ(f"kpi's JSON could not be read: {error}")
    for (scope, metric), (status, value) in peer.items():
        differ(f"{scope} {metric}: DuckDB {status} {value}, kpi has no result")
    if differences == 0 and n > 0:
        print(f"answers: same ({n} results)")
        return
    if n == 0 and not shown:
        differ("kpi's JSON has no results")
    print(f"answers: DIFFER ({differences} differences, {n} kpi results); the first:")
    for text in shown:
        print(f"  {text}")
    sys.exit(1)


if __name__ == "__main__":
    main()
