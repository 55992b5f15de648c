#!/usr/bin/env python3
"""Import circles between the source files of the app and server crates: every `crate::`,
`super::` and `self::` path in non-test code is resolved to the file that defines the item
(following `pub use` re-exports), and the strongly connected components of that graph with more
than one file are printed. Exits 1 when there is one. Run: scripts/import-cycles.py"""
import pathlib, re, sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import rust_source  # noqa: E402

CRATES = ["app/src", "server/src"]
PATH = re.compile(r"\b(crate|super|self)((?:::\w+)+)(::\{)?")
DEF = r"pub(?:\([^)]*\))?\s+(?:async\s+)?(?:unsafe\s+)?(?:struct|enum|fn|trait|type|const|static|mod|union)\s+{}\b"


def code_of(path):
    """The file's non-test code, read whole (scripts/rust_source.py)."""
    return rust_source.code_of(path.read_text())


def modules(root):
    """module path (tuple) -> file, for one crate."""
    out = {}
    for p in pathlib.Path(root).rglob("*.rs"):
        rel = p.relative_to(root).with_suffix("")
        parts = list(rel.parts)
        if parts in (["lib"], ["main"]):
            parts = []
        elif parts[-1] == "mod":
            parts = parts[:-1]
        elif parts[0] == "bin" or parts[-1] == "main":
            continue
        out[tuple(parts)] = p
    return out


def brace_items(text, start):
    """The paths inside `{…}` starting at text[start] == '{' (nested groups flattened)."""
    depth, i = 0, start
    while i < len(text):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            break
        i += 1
    inner = text[start + 1 : i]
    items, depth, cur = [], 0, ""
    for ch in inner:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            items.append(cur)
            cur = ""
        else:
            cur += ch
    items.append(cur)
    out = []
    for it in items:
        it = it.strip().split(" as ")[0].strip()
        if not it or it == "self":
            continue
        if "{" in it:
            head, _, rest = it.partition("::{")
            for sub in brace_items("{" + rest, 0):
                out.append(head + "::" + sub)
        else:
            out.append(it)
    return out


class Crate:
    def __init__(self, root):
        self.mods = modules(root)
        self.code = {m: code_of(p) for m, p in self.mods.items()}
        self.file_mod = {p: m for m, p in self.mods.items()}

    def defining(self, mod, name, seen=()):
        """The module that defines `name` as seen from module `mod` (following re-exports)."""
        if mod + (name,) in self.mods:
            return mod + (name,)
        code = self.code.get(mod, "")
        if re.search(DEF.format(re.escape(name)), code):
            return mod
        for m in re.finditer(r"pub(?:\([^)]*\))?\s+use\s+([^;]+);", code):
            for path in expand(m.group(1)):
                segs = path.split("::")
                if segs[-1] != name or (mod, name) in seen:
                    continue
                target = self.resolve(mod, segs, seen + ((mod, name),))
                if target is not None:
                    return target
        return mod

    def resolve(self, mod, segs, seen=()):
        """The module a path (split on ::) written in module `mod` points into."""
        base = list(mod)
        # A mod.rs / lib.rs file is its directory's module; `super` of it is the parent.
        if segs[0] == "crate":
            base, segs = [], segs[1:]
        elif segs[0] == "self":
            segs = segs[1:]
        while segs and segs[0] == "super":
            base, segs = base[:-1], segs[1:]
        if segs and segs[0] not in ("crate", "self", "super") and tuple(base + segs[:1]) not in self.mods and base == list(mod) and not seen:
            return None  # an external crate or a local name
        cur = tuple(base)
        for i, s in enumerate(segs):
            if cur + (s,) in self.mods:
                cur = cur + (s,)
                continue
            return self.defining(cur, s, seen)
        return cur


def expand(spec):
    spec = spec.strip()
    if "{" in spec:
        head, _, _ = spec.partition("{")
        head = head.rstrip(":").rstrip()
        return [head + "::" + it for it in brace_items(spec, spec.index("{"))]
    return [spec.split(" as ")[0].strip()]


def edges(crate):
    out = {}
    for mod, code in crate.code.items():
        targets = set()
        for m in re.finditer(r"\buse\s+((?:crate|super|self)[^;]*);", code):
            for path in expand(m.group(1)):
                t = crate.resolve(mod, path.split("::"))
                if t is not None and t != mod:
                    targets.add(t)
        for m in PATH.finditer(code):
            if m.group(3):
                continue  # a grouped `use`, read above
            t = crate.resolve(mod, [m.group(1)] + m.group(2).strip(":").split("::"))
            if t is not None and t != mod:
                targets.add(t)
        # A child module named by a bare path (`avalon::refine(..)`); its declaration (`mod x;`)
        # alone is not an import of it.
        for m in re.finditer(r"(?<![:\w])(\w+)((?:::\w+)+)", code):
            if m.group(1) in ("crate", "super", "self") or mod + (m.group(1),) not in crate.mods:
                continue
            t = crate.resolve(mod, ["self", m.group(1)] + m.group(2).strip(":").split("::"))
            if t is not None and t != mod:
                targets.add(t)
        out[mod] = targets
    return out


def cycles(graph):
    index, low, stack, on, comps, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(comp)

    sys.setrecursionlimit(10000)
    for v in list(graph):
        if v not in index:
            visit(v)
    return comps


def main():
    found = 0
    for root in CRATES:
        crate = Crate(root)
        graph = edges(crate)
        for comp in cycles(graph):
            found += 1
            files = sorted(str(crate.mods[m]) for m in comp)
            print(f"import circle: {', '.join(files)}")
            for m in sorted(comp):
                for t in sorted(graph[m] & set(comp)):
                    print(f"  {crate.mods[m]} -> {crate.mods[t]}")
    if found:
        print(f"{found} import circles")
        sys.exit(1)
    print("no import circle in " + ", ".join(CRATES))


if __name__ == "__main__":
    main()
