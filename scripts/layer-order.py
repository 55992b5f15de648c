#!/usr/bin/env python3
"""The layer order docs/ARCHITECTURE.md draws, checked: the fenced `layers` block lists each
crate's top-level modules from the top layer down (one layer a line); every import edge that
scripts/import-cycles.py resolves must point to the same layer or one below. Exits 1 on an
import from a layer above, or on a module no layer names. Run: scripts/layer-order.py"""
import importlib.util, pathlib, re, sys

HERE = pathlib.Path(__file__).parent
spec = importlib.util.spec_from_file_location("import_cycles", HERE / "import-cycles.py")
ic = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ic)

# An inline module's `use super::*;` names its own file, not the crate root: the resolver reads
# files, not inline modules, so such globs are left out before the edges are drawn.
INLINE_MOD = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+\w+\s*\{", re.M)


def layers(doc):
    """crate root -> [set of top-level modules], top layer first."""
    block = re.search(r"```layers\n(.*?)```", doc, re.S)
    if not block:
        sys.exit("docs/ARCHITECTURE.md has no ```layers block")
    out, crate = {}, None
    for line in block.group(1).splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            crate = line.strip().rstrip(":")
            out[crate] = []
        else:
            out[crate].append(set(line.split()))
    return out


def main():
    order = layers((HERE.parent / "docs" / "ARCHITECTURE.md").read_text())
    bad = 0
    for root, stack in order.items():
        crate = ic.Crate(root)
        for mod, code in crate.code.items():
            if INLINE_MOD.search(code):
                crate.code[mod] = code.replace("use super::*;", "")
        graph = ic.edges(crate)
        top = lambda m: m[0] if m else "lib"
        level = {name: i for i, names in enumerate(stack) for name in names}
        for m in sorted({top(m) for m in crate.mods} - set(level)):
            print(f"{root}: module {m} is in no layer of docs/ARCHITECTURE.md")
            bad += 1
        for m, targets in sorted(graph.items()):
            for t in sorted(targets):
                a, b = top(m), top(t)
                if a in level and b in level and level[b] < level[a]:
                    print(f"{crate.mods[m]} imports {crate.mods[t]}: from layer {level[b]} ({b}) above its own {level[a]} ({a})")
                    bad += 1
    if bad:
        sys.exit(1)
    print("every import runs down the layers docs/ARCHITECTURE.md draws in " + ", ".join(order))


if __name__ == "__main__":
    main()
