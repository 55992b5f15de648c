#!/usr/bin/env python3
"""Lists functions longer than a limit (default 120 lines) in the app and server crates, outside
tests (`#[cfg(test)]` modules, tests/ and benches/) and the language tables (data, not code).
Exits 1 when there is one. Run: scripts/long-functions.py [LIMIT]"""
import pathlib, re, sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import rust_source  # noqa: E402

LIMIT = int(sys.argv[1]) if len(sys.argv) > 1 else 120
ROOTS = ["app/src", "server/src"]
# The words tables are struct literals of closures, one per string: data, not logic; the store's
# conformance suite is test code both engines' tests call.
SKIP = {"app/src/i18n/en.rs", "app/src/i18n/it.rs", "server/src/store/conformance.rs"}
FN = re.compile(r"^\s*(pub(\([^)]*\))?\s+)?(async\s+)?(const\s+)?(unsafe\s+)?fn\s+(\w+)")


def functions(path):
    # Read whole: literals and comments blanked, test items blanked (lines kept).
    lines = rust_source.code_of(path.read_text()).split("\n")
    i = 0
    while i < len(lines):
        m = FN.match(lines[i])
        if not m:
            i += 1
            continue
        depth, started, j = 0, False, i
        while j < len(lines):
            s = lines[j]
            if not started and ";" in s and "{" not in s:
                break  # a declaration without a body
            depth += s.count("{") - s.count("}")
            if "{" in s:
                started = True
            if started and depth <= 0:
                break
            j += 1
        if started:
            yield m.group(6), i + 1, j - i + 1
            i = j + 1
        else:
            i += 1


long = []
for root in ROOTS:
    for p in sorted(pathlib.Path(root).rglob("*.rs")):
        if str(p) in SKIP or "/tests/" in str(p) or "/benches/" in str(p):
            continue
        for name, line, n in functions(p):
            if n > LIMIT:
                long.append((n, f"{p}:{line}", name))
for n, where, name in sorted(long, reverse=True):
    print(f"{n:5} lines  {where}  {name}")
if long:
    print(f"{len(long)} functions over {LIMIT} lines")
    sys.exit(1)
print(f"no function over {LIMIT} lines")
