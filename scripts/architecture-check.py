#!/usr/bin/env python3
"""Keeps docs/ARCHITECTURE.md true to the code: the `Services { … }` of its diagram lists the
fields of `app::api::ports::Services` in order, every source path it names exists, and every
name it quotes in backticks is in the code — a type (`SiteStore`, `Poller::run_until`: the type
defined, each member named in the source), a module path (`model::power::contract`, `api::power::service`:
the module's file, each later name in it) and a route (`/sites/{id}`: in a route table). Names
from outside (HTTP headers, the standard library's and the frameworks' types) are listed in
EXTERNAL. Exits 1 with what differs. Run: scripts/architecture-check.py"""
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

for path in sorted(set(re.findall(r"\b((?:app|server|xtask|scripts|deploy|docs|end2end|style|public)/[\w./-]+\.(?:rs|sh|py|mjs|ts|yml|css|js|md))\b", doc))):
    if not pathlib.Path(path).exists():
        problems.append(f"names {path}, which does not exist")

# Names the document quotes that live outside this code: HTTP headers and schemes, the
# browser's, the standard library's and the frameworks' types.
EXTERNAL = {
    "Bearer", "Host", "Origin", "Referer", "Date", "EventSource", "Instant", "SystemTime",
    "Utc", "HydrationScripts", "Suspense", "SsrMode", "WasmRenderer", "MatchedPath", "Parts",
    "ServeDir", "ToSchema",
}
CRATES_OUTSIDE = {"toml", "axum", "leptos", "leptos_axum", "tokio", "sqlx", "std", "serde", "tower_http", "chrono", "utoipa", "charming"}

sources = {p: p.read_text() for root in ("app/src", "server/src", "xtask/src") for p in pathlib.Path(root).rglob("*.rs")}
all_code = "\n".join(sources.values())
defined = set(re.findall(r"\b(?:struct|enum|trait|type|fn|mod|const|static)\s+(\w+)", all_code))
# Module path (as written from its crate's root, or from any parent) -> file.
module_files = {}
for p in sources:
    parts = list(p.with_suffix("").parts[2:])
    if parts and parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    for i in range(len(parts)):
        module_files.setdefault(tuple(parts[i:]), []).append(p)
    module_files.setdefault(tuple([p.parts[0]] + parts), []).append(p)


def word_in(name, text):
    return re.search(r"\b" + re.escape(name) + r"\b", text) is not None


def type_problem(t):
    head, *members = re.split(r"::|\.", t)
    if head in EXTERNAL:
        return None
    if head not in defined:
        return f"quotes `{t}`, but no type or function {head} is defined"
    missing = [m for m in members if not word_in(m, all_code)]
    return f"quotes `{t}`, but {', '.join(missing)} is named nowhere" if missing else None


def module_problem(t):
    segs = t.split("::")
    if segs[0] in CRATES_OUTSIDE:
        return None
    for n in range(len(segs), 0, -1):
        files = module_files.get(tuple(segs[:n]))
        if files:
            # A mod.rs re-exports its children (`pub use texts::*`): their names count.
            files = files + [q for f in files if f.name == "mod.rs" for q in sources if q.parent == f.parent and q != f]
            rest = segs[n:]
            if all(any(word_in(r, sources[f]) for f in files) for r in rest):
                return None
            return f"quotes `{t}`, but {'::'.join(rest)} is not in {', '.join(map(str, files))}"
    return f"quotes `{t}`, but no module {segs[0]} exists"


def route_problem(t):
    c = t.split("?")[0].rstrip("…").removesuffix("/*")
    if c in ("/", ""):
        return None
    candidates = {c}
    if c.startswith("/api/v1/"):
        candidates.add(c[len("/api/v1"):])
    for x in list(candidates):
        candidates.add(re.sub(r"\{(\w+)\}", r":\1", x))
    if any(('"' + x) in all_code for x in candidates):
        return None
    return f"quotes the route `{t}`, which no route table holds"


for t in sorted(set(re.findall(r"`([^`\n]+)`", doc))):
    if re.fullmatch(r"[A-Z][A-Za-z0-9]*(?:(?:::|\.)[A-Za-z_]\w*)*", t) and not re.fullmatch(r"[A-Z0-9_]+", t):
        problem = type_problem(t)
    elif re.fullmatch(r"[a-z_]\w*(?:::[A-Za-z_]\w*)+", t):
        problem = module_problem(t)
    elif t.startswith("/") and " " not in t:
        problem = route_problem(t)
    else:
        problem = None
    if problem:
        problems.append(problem)

for p in problems:
    print(f"docs/ARCHITECTURE.md: {p}")
if problems:
    sys.exit(1)
print(f"docs/ARCHITECTURE.md: Services ({len(fields)} fields), every path and every quoted name match the code")
