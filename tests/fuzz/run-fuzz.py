#!/usr/bin/python3
# run-fuzz.py -- run one libFuzzer target for its share of the fuzzing time
#
# usage: run-fuzz.py --targets N TARGET CORPUS [DICT]
#
# Runs TARGET for GP_FUZZ_SECONDS (default 60) divided by N, the number of
# targets, starting from the seed corpus CORPUS (read only: new inputs go
# to a temporary directory, GP_FUZZ_KEEP_CORPUS=DIR keeps them there).
# Fails if the target crashed, leaked, hung or a sanitizer reported; the
# input that did it is saved as fuzz-artifacts/NAME-crash-* next to
# TARGET. Prints the executions run and the coverage reached.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import argparse
import os
import re
import subprocess
import sys
import tempfile

ap = argparse.ArgumentParser()
ap.add_argument("--targets", type=int, default=1)
ap.add_argument("target")
ap.add_argument("corpus")
ap.add_argument("dict", nargs="?", default="")
args = ap.parse_args()

total = float(os.environ.get("GP_FUZZ_SECONDS", "60"))
seconds = max(1, int(round(total / max(args.targets, 1))))
name = os.path.basename(args.target)
artifacts = os.path.join(os.path.dirname(os.path.abspath(args.target)), "fuzz-artifacts")
os.makedirs(artifacts, exist_ok=True)

keep = os.environ.get("GP_FUZZ_KEEP_CORPUS")
with tempfile.TemporaryDirectory(prefix=name + "-") as tmp:
    new_inputs = keep or tmp
    os.makedirs(new_inputs, exist_ok=True)
    cmd = [args.target,
           f"-max_total_time={seconds}",
           "-timeout=10",             # an input that takes longer is a hang
           "-rss_limit_mb=4096",
           "-max_len=4096",
           "-print_final_stats=1",
           "-detect_leaks=1",
           f"-artifact_prefix={artifacts}/{name}-"]
    if args.dict:
        cmd.append(f"-dict={args.dict}")
    cmd += [new_inputs, args.corpus]
    print("+", " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors="replace")

out = proc.stdout
sys.stdout.write(out)
execs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", out)
cov = re.findall(r"\bcov: (\d+) ft: (\d+)", out)
summary = f"{name}: {execs[-1] if execs else '?'} executions in {seconds} s"
if cov:
    summary += f", cov: {cov[-1][0]} ft: {cov[-1][1]}"
bad = re.search(r"ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer)"
                r"|runtime error:|==\d+== ?ERROR", out)
if proc.returncode != 0 or bad:
    print(f"{summary}: FAILED (exit status {proc.returncode}); the input is in {artifacts}",
          flush=True)
    sys.exit(1)
print(summary, flush=True)
