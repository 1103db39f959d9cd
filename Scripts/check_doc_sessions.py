#!/usr/bin/env python3
"""Replays the robustfit sessions quoted in README.md and Docs/*.md; reports (or, with --update,
rewrites) those whose output no longer matches.

A session is a line `$ robustfit ...` inside a fenced block (a trailing backslash continues it on the
next line), followed by its output up to the next `$ ` line or the end of the block: stdout and
stderr as a terminal shows them, and optionally a last line `[exit N]` with the exit status. Sessions
on input files the repository does not ship (e.g. a `bad.csv` made up for the page) are skipped. Run
from the repository root, after `swift build -c release --product robustfit`:

    python3 Scripts/check_doc_sessions.py [--binary .build/release/robustfit] [--update]

Commands run in a scratch copy of Fixtures/, so files they write never touch the repository. Exit
status 1 when a session differs (without --update).
"""
import argparse, os, re, shutil, subprocess, sys, tempfile

EXIT = re.compile(r"\[exit (\d+)\]")

def run(command, scratch, env):
    result = subprocess.run(["bash", "-c", "{ " + command + " ; } 2>&1"], cwd=scratch, env=env,
                            capture_output=True, text=True)
    return [l.rstrip() for l in result.stdout.rstrip("\n").split("\n")], result.returncode

def replay_block(lines, scratch, env, report, update):
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
        same = [l for l in want if l.strip()] == [l for l in have if l.strip()] \
            or sorted(l for l in want if l.strip()) == sorted(l for l in have if l.strip())
        if exit_lines and exit_lines[-1].strip() != f"[exit {status}]":
            same = False
        if same:
            out.extend(expected)
        else:
            report["differ"] += 1
            diff = next(((a, b) for a, b in zip(want + [""] * 99, have + [""] * 99) if a != b), ("", ""))
            print(f"--- {report['file']}: $ {command}\n  doc: {diff[0]}\n  now: {diff[1]}")
            out.extend(have + ([f"[exit {status}]"] if exit_lines else []) if update else expected)
        i = j
    return out

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/robustfit")
    parser.add_argument("--update", action="store_true", help="rewrite the pages with the new output")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    files = ["README.md"] + sorted(os.path.join("Docs", f) for f in os.listdir("Docs") if f.endswith(".md"))
    report = {"total": 0, "skipped": 0, "differ": 0}
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
                return match.group(1) + "\n".join(replay_block(lines, scratch, env, report, args.update)) + match.group(3)
            new = re.sub(r"(```[a-z]*\n)(.*?)(\n```)", block, text, flags=re.S)
            if args.update and new != text:
                open(path, "w", encoding="utf-8").write(new)
    print(f"{report['total'] - report['differ']} of {report['total']} sessions reproduce "
          f"({report['skipped']} skipped: input not shipped){'; pages updated' if args.update and report['differ'] else ''}")
    return 1 if report["differ"] and not args.update else 0

if __name__ == "__main__":
    sys.exit(main())
