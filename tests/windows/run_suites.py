#!/usr/bin/env python3
"""Runs the headless crates' test suites, built as Windows binaries, under Wine.

scripts/windows.sh builds the exes and every test suite in one cargo invocation
(`cargo test --no-run --message-format=json`) and hands its JSON messages to this script, which runs
the test executables of the crates under `crates/` (bar-live-protocol, bar-live-core), each from its
package's folder as `cargo test` would, and reports every suite before failing.

usage: run_suites.py ARTIFACTS_JSON WINE [TEST ARGS...]
"""
import json
import os
import subprocess
import sys
import time

# A suite that runs longer than this is stuck (the slowest takes about a minute under Wine).
SUITE_TIMEOUT_S = 900


def suites(artifacts_path, crates_dir):
    """(label, exe, package folder) of every test executable built from a crate under crates_dir."""
    out = []
    with open(artifacts_path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            msg = json.loads(line)
            if msg.get("reason") != "compiler-artifact" or not msg.get("executable"):
                continue
            if not msg.get("profile", {}).get("test"):
                continue
            package_dir = os.path.dirname(msg["manifest_path"])
            if os.path.dirname(package_dir) != crates_dir:
                continue
            target = msg["target"]
            label = f"{os.path.basename(package_dir)}: {target['name']} ({'/'.join(target['kind'])})"
            out.append((label, msg["executable"], package_dir))
    return sorted(set(out))


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    artifacts, wine, test_args = sys.argv[1], sys.argv[2], sys.argv[3:]
    crates_dir = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", "..", "crates"))
    found = suites(artifacts, crates_dir)
    if not found:
        print(f"no test executable of {crates_dir} in {artifacts}", file=sys.stderr)
        return 1
    failed = []
    for label, exe, cwd in found:
        print(f"== {label}", flush=True)
        started = time.monotonic()
        try:
            rc = subprocess.run([wine, exe, *test_args], cwd=cwd, timeout=SUITE_TIMEOUT_S).returncode
        except subprocess.TimeoutExpired:
            print(f"   timed out after {SUITE_TIMEOUT_S} s", flush=True)
            rc = "timeout"
        took = time.monotonic() - started
        if rc != 0:
            failed.append(label)
        print(f"   {label}: {'ok' if rc == 0 else f'FAILED ({rc})'} in {took:.1f} s", flush=True)
    print(f"== {len(found) - len(failed)} of {len(found)} suites passed under Wine")
    for label in failed:
        print(f"   failed: {label}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
