#!/usr/bin/env python3
"""Replays the robustfit sessions quoted in README.md and Docs/*.md; reports (or, with --update,
rewrites) those whose output no longer matches.

A session is a line `$ robustfit ...` inside a fenced block (a trailing backslash continues it on the
next line), followed by its output up to the next `$ ` line or the end of the block: stdout and
stderr as a terminal shows them, and optionally a last line `[exit N]` with the exit status. Sessions
on input files the repository does not ship (e.g. a `bad.csv` made up for the page) are skipped. Run
from the repository root, after `swift build -c release --product robustfit` (`make check-docs` does
both):

    python3 Scripts/check_doc_sessions.py [--binary .build/release/robustfit] [--rtol R] [--update]

Commands run in a scratch copy of Fixtures/, so files they write never touch the repository. Exit
status 1 when a session differs (without --update).

What "the same output" means. Each line is split into its numbers and the text around them (the
line's skeleton). The skeletons must be equal character for character (words, punctuation, spacing,
the order of the keys, `-inf`, `null`, `true`), and so must the number of lines (blank lines aside),
the `[exit N]` status when the page gives one, and every integer (counts, iterations, line numbers,
degrees of freedom: anything written without a decimal point or exponent). A number written with a
decimal point or an exponent may differ from the page's by a relative amount of at most RTOL
(default 1e-11):  |now - doc| <= RTOL * max(|now|, |doc|).

Why a tolerance, and why this one. The JSON and CSV reports print doubles in full (the shortest text
that reads back to the same double, up to 17 significant digits), and their last two or three digits
depend on the order in which sums are added. OpenBLAS (a DYNAMIC_ARCH build) picks its kernels for the
CPU it runs on, AVX-512 kernels on a CPU that has AVX-512 and AVX2 ones on a CPU that has not, and
they add the same products in another order (the number of threads plays no part: OPENBLAS_NUM_THREADS=1
prints the same digits; OPENBLAS_CORETYPE=Haswell on an AVX-512 machine shows the difference). Such
differences are a few units of 1e-16 relative in a sum; the conditioning of what is printed enlarges
them, to at most 1.1e-13 on the shipped sessions (the adaptive fit's distance to the truth, 0.019, a
difference of nearly equal quantities; p-values of 1e-22 and 2e-38, whose tails amplify the t value's
change some 50-fold, move by 5e-14). They are not a change of behaviour. RTOL = 1e-11 lies a hundred
times above that noise and ten times below the IRLS convergence tolerance (a relative step of 1e-10,
FitOptions' default): an estimate that moved by as much as one convergence step, a different iteration
count, another number of outliers, or any change in the 3-to-10-digit figures of the text reports
(whose last digit is worth 1e-3 to 1e-10 relative) is still reported. A value that lies within about
1e-13 of a rounding midpoint of a 6-digit figure could still flip its last printed digit on another CPU
(a chance of about 1e-8 for each figure); that would be reported, and re-running with --update on the
machine that recorded the page settles it.
"""
import argparse, difflib, os, re, shutil, subprocess, sys, tempfile

EXIT = re.compile(r"\[exit (\d+)\]")
# A number not glued to a word on its left (so `H1`, `x2`, `line_outliers.csv` stay text).
NUMBER = re.compile(r"(?<![A-Za-z_\d.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![A-Za-z_\d])")

def run(command, scratch, env):
    result = subprocess.run(["bash", "-c", "{ " + command + " ; } 2>&1"], cwd=scratch, env=env,
                            capture_output=True, text=True)
    return [l.rstrip() for l in result.stdout.rstrip("\n").split("\n")], result.returncode

def split(line):
    """The line's skeleton (numbers replaced by a mark) and its numbers as written."""
    return NUMBER.sub("\x00", line), NUMBER.findall(line)

def same_line(doc, now, rtol, worst):
    """Whether two lines match under the rules of the module docstring; records in worst[0] the largest
    relative difference of a decimal number that was accepted."""
    if doc == now:
        return True
    (doc_text, doc_numbers), (now_text, now_numbers) = split(doc), split(now)
    if doc_text != now_text or len(doc_numbers) != len(now_numbers):
        return False
    for a, b in zip(doc_numbers, now_numbers):
        if a == b:
            continue
        if not re.search(r"[.eE]", a) or not re.search(r"[.eE]", b):
            return False  # an integer on either side: exact
        x, y = float(a), float(b)
        if x == y:
            continue  # 2.0 and 2.00
        relative = abs(x - y) / max(abs(x), abs(y))
        if relative > rtol:
            return False
        worst[0] = max(worst[0], relative)
    return True

def same_output(want, have, rtol, worst):
    want, have = [l for l in want if l.strip()], [l for l in have if l.strip()]
    if len(want) != len(have):
        return False
    if all(same_line(a, b, rtol, worst) for a, b in zip(want, have)):
        return True
    # stderr and stdout may interleave differently through a pipe: accept the same lines in another
    # order, pairing them by skeleton (a stable sort keeps each stream's own order).
    key = lambda l: split(l)[0]
    return all(same_line(a, b, rtol, worst) for a, b in zip(sorted(want, key=key), sorted(have, key=key)))

def explain(want, have, rtol):
    """The lines that do not match: pair by pair when the line counts agree (lines that match within
    the tolerance left out), else a unified diff."""
    want, have = [l for l in want if l.strip()], [l for l in have if l.strip()]
    if len(want) != len(have):
        return list(difflib.unified_diff(want, have, "doc", "now", n=1, lineterm=""))
    return [f"{tag}: {l}" for a, b in zip(want, have) if not same_line(a, b, rtol, [0.0])
            for tag, l in (("doc", a), ("now", b))]

def replay_block(lines, scratch, env, report, args):
    out, i = [], 0
    while i < len(lines):
        if not lines[i].startswith("$ robustfit"):
            out.append(lines[i]); i += 1; continue
        head = [lines[i]]
        command = lines[i][2:]
        j = i + 1
        while command.endswith("\\") and j < len(lines):
            head.append(lines[j]); command = command[:-1] + " " + lines[j].strip(); j += 1
        start = j
        while j < len(lines) and not lines[j].startswith("$ "):
            j += 1
        expected = lines[start:j]
        out.extend(head)
        inputs = [w for w in command.split() if w.endswith(".csv") and "/" not in w]
        if any(not os.path.exists(os.path.join(scratch, w)) for w in inputs):
            report["skipped"] += 1; out.extend(expected); i = j; continue
        report["total"] += 1
        have, status = run(command, scratch, env)
        exit_lines = [l for l in expected if EXIT.fullmatch(l.strip())]
        want = [l.rstrip() for l in expected if not EXIT.fullmatch(l.strip())]
        worst = [0.0]
        same = same_output(want, have, args.rtol, worst)
        if exit_lines and exit_lines[-1].strip() != f"[exit {status}]":
            same = False
        if same:
            out.extend(expected)
            if want != have:
                report["tolerated"] += 1
                report["worst"] = max(report["worst"], worst[0])
        else:
            report["differ"] += 1
            print(f"--- {report['file']}: $ {command}")
            if exit_lines and exit_lines[-1].strip() != f"[exit {status}]":
                print(f"  exit status: doc {exit_lines[-1].strip()}, now [exit {status}]")
            for line in explain(want, have, args.rtol):
                print("  " + line)
            out.extend(have + ([f"[exit {status}]"] if exit_lines else []) if args.update else expected)
        i = j
    return out

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/robustfit")
    parser.add_argument("--rtol", type=float, default=1e-11,
                        help="relative tolerance for decimal numbers (see the module docstring)")
    parser.add_argument("--update", action="store_true", help="rewrite the pages with the new output")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        sys.exit(f"{args.binary}: no such binary; build it first (swift build -c release --product robustfit)")
    files = ["README.md"] + sorted(os.path.join("Docs", f) for f in os.listdir("Docs") if f.endswith(".md"))
    report = {"total": 0, "skipped": 0, "differ": 0, "tolerated": 0, "worst": 0.0}
    with tempfile.TemporaryDirectory() as scratch:
        shutil.copytree("Fixtures", os.path.join(scratch, "Fixtures"))
        os.makedirs(os.path.join(scratch, "Docs", "figures"))
        env = dict(os.environ, COLUMNS="80", ROBUSTFIT_PROGRESS="never",
                   PATH=os.path.dirname(binary) + os.pathsep + os.environ["PATH"])
        for path in files:
            report["file"] = path
            text = open(path, encoding="utf-8").read()
            def block(match):
                lines = match.group(2).split("\n")
                return match.group(1) + "\n".join(replay_block(lines, scratch, env, report, args)) + match.group(3)
            new = re.sub(r"(```[a-z]*\n)(.*?)(\n```)", block, text, flags=re.S)
            if args.update and new != text:
                open(path, "w", encoding="utf-8").write(new)
    tolerated = (f"; {report['tolerated']} of them within the relative tolerance {args.rtol:g} "
                 f"(largest relative difference {report['worst']:.1e})" if report["tolerated"] else "")
    print(f"{report['total'] - report['differ']} of {report['total']} sessions reproduce"
          f"{tolerated} ({report['skipped']} skipped: input not shipped)"
          f"{'; pages updated' if args.update and report['differ'] else ''}")
    return 1 if report["differ"] and not args.update else 0

if __name__ == "__main__":
    sys.exit(main())
