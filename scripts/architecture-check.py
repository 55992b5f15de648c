#!/usr/bin/env python3
"""Keeps docs/ARCHITECTURE.md true to the code: the `Services { … }` of its diagram lists the
fields of `app::api::ports::Services` in order, and every source path it names exists.
Exits 1 with what differs. Run: scripts/architecture-check.py"""
import pathlib, re, sys

doc = pathlib.Path("docs/ARCHITECTURE.md").read_text()
ports = pathlib.Path("app/src/api/ports.rs").read_text()
problems = []

struct = re.search(r"pub struct Services \{(.*?)\n\}", ports, re.S).group(1)
fields = re.findall(r"^\s*pub (\w+):", struct, re.M)
diagram = doc.split("```")[1]
listed = re.search(r"Services \{(.*?)\}", diagram, re.S).group(1)
named = re.findall(r"\w+", re.sub(r"\n[^\n]*?\|", " ", listed))
if named != fields:
    problems.append(f"the diagram's Services lists {named}, the code has {fields}")

for path in sorted(set(re.findall(r"\b((?:app|server|scripts|deploy|docs|end2end|style|public)/[\w./-]+\.(?:rs|sh|py|mjs|ts|yml|css|js|md))\b", doc))):
    if not pathlib.Path(path).exists():
        problems.append(f"names {path}, which does not exist")

for p in problems:
    print(f"docs/ARCHITECTURE.md: {p}")
if problems:
    sys.exit(1)
print(f"docs/ARCHITECTURE.md: Services ({len(fields)} fields) and every path it names match the code")
