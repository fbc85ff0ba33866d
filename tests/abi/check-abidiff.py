#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The ABI gate, signatures: the library's ABI (functions, their parameter
and return types, the public types and class structures) against the
checked-in baseline tests/abi/libgattperiph-1.abi, with abidiff from
libabigail (Debian: abigail-tools). An incompatible change fails; a
compatible one (something added) passes with a note to update the
baseline.

  check-abidiff.py --lib build/libgattperiph/libgattperiph-1.so \\
                   --baseline tests/abi/libgattperiph-1.abi \\
                   --headers-dir libgattperiph --header-file HEADER... [--update]

With --update the baseline is rewritten from the library (abidw), with
the source paths made relative so that it holds nothing of this machine;
do that only for changes made on purpose (tests/abi/update-abi).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

# abidiff's exit status is a bit field (libabigail's abidiff_status).
ABIDIFF_ERROR = 1
ABIDIFF_USAGE_ERROR = 2
ABIDIFF_ABI_CHANGE = 4
ABIDIFF_ABI_INCOMPATIBLE_CHANGE = 8


def header_args(opts, flag_dir, flag_file):
    args = []
    for d in opts.headers_dir:
        args += [flag_dir, d]
    for f in opts.header_file:
        args += [flag_file, f]
    return args


def update(opts):
    out = subprocess.run(
        ["abidw", "--no-show-locs", "--no-corpus-path", "--no-comp-dir-path",
         "--drop-private-types"] + header_args(opts, "--headers-dir", "--header-file")
        + [opts.lib],
        check=True, capture_output=True, text=True).stdout
    # Translation units are named by their path from the build directory:
    # keep only what follows the source tree's libgattperiph/.
    out = re.sub(r"path='[^']*?(libgattperiph/[^'/]*)'", r"path='\1'", out)
    if "/" + os.path.basename(os.getcwd()) + "/" in out or re.search(r"path='/", out):
        sys.exit("check-abidiff: the baseline would contain absolute paths")
    with open(opts.baseline, "w", encoding="utf-8") as f:
        f.write(out)
    print("check-abidiff: wrote %s" % opts.baseline)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", required=True)
    ap.add_argument("--baseline", required=True)
    ap.add_argument("--headers-dir", action="append", default=[])
    ap.add_argument("--header-file", action="append", default=[])
    ap.add_argument("--update", action="store_true")
    opts = ap.parse_args()

    if shutil.which("abidiff") is None or shutil.which("abidw") is None:
        print("check-abidiff: abidiff/abidw not found (install abigail-tools)")
        return 77   # skipped
    if opts.update:
        update(opts)
        return 0

    r = subprocess.run(
        ["abidiff", "--no-show-locs", "--drop-private-types"]
        + header_args(opts, "--hd2", "--header-file2")
        + [opts.baseline, opts.lib],
        capture_output=True, text=True)
    sys.stdout.write(r.stdout)
    sys.stderr.write(r.stderr)
    if r.returncode & (ABIDIFF_ERROR | ABIDIFF_USAGE_ERROR):
        print("check-abidiff: abidiff failed (status %d)" % r.returncode)
        return 1
    # abidiff calls a changed parameter or struct a (compatible) "ABI
    # change": only added functions and variables are compatible here.
    changed = 0
    for m in re.finditer(r"(\d+) Removed(?: \(\d+ filtered out\))?, (\d+) Changed", r.stdout):
        changed += int(m.group(1)) + int(m.group(2))
    if r.returncode & ABIDIFF_ABI_INCOMPATIBLE_CHANGE or changed > 0:
        print("check-abidiff: INCOMPATIBLE ABI change against %s (above). If it is meant "
              "(nothing is released yet), run tests/abi/update-abi and commit the "
              "baseline." % opts.baseline)
        return 1
    if r.returncode & ABIDIFF_ABI_CHANGE:
        print("check-abidiff: compatible ABI change (above): run tests/abi/update-abi "
              "to record it")
    else:
        print("check-abidiff: ABI unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
