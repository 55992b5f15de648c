"""Rust source as the house checks read it: string and char literals blanked before comments
are removed (so `"https://…"` does not hide the code after it, and `// "` does not open a
string), comments blanked, and each `#[cfg(test)]` item blanked — that item only (a test module,
a test function), not the rest of the file. Every newline is kept, so line numbers still hold.
Imported by import-cycles.py and long-functions.py; its own cases: scripts/rust_source.py"""
import re


def _blank(s):
    return "".join("\n" if c == "\n" else " " for c in s)


def strip_literals_and_comments(text):
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        prev = text[i - 1] if i > 0 else ""
        if c == "/" and nxt == "/":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(_blank(text[i:j]))
            i = j
        elif c == "/" and nxt == "*":
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(_blank(text[i:j]))
            i = j
        elif c in "rb" and not (prev.isalnum() or prev == "_") and re.match(r'(?:b?r)(#*)"', text[i:]):
            m = re.match(r'(?:b?r)(#*)"', text[i:])
            close = '"' + m.group(1)
            j = text.find(close, i + m.end())
            j = n if j < 0 else j + len(close)
            out.append('"' + _blank(text[i + 1 : j - 1]) + '"')
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append('"' + _blank(text[i + 1 : j - 1]) + '"')
            i = j
        elif c == "'":
            # A char literal ('x', '\n', '\u{1F600}', '\'') or a lifetime ('a).
            m = re.match(r"'(\\(?:u\{[0-9a-fA-F]+\}|x[0-9a-fA-F]{2}|.)|[^\\'\n])'", text[i:])
            if m:
                out.append("''" + _blank(text[i + 2 : i + m.end()]))
                i += m.end()
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _item_end(code, start):
    """Where the item beginning at `start` ends: its matching `}` or its `;`."""
    depth, i = 0, start
    while i < len(code):
        ch = code[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        elif ch == ";" and depth == 0:
            return i + 1
        i += 1
    return len(code)


TEST_ATTR = re.compile(r"#\[cfg\(\s*test\s*\)\]")


def code_of(text):
    """The file's code: literals and comments blanked, `#[cfg(test)]` items blanked."""
    code = strip_literals_and_comments(text)
    while True:
        m = TEST_ATTR.search(code)
        if not m:
            return code
        # The item after the attribute (and any further attributes on it).
        j = m.end()
        while True:
            k = re.match(r"\s*#\[[^\]]*\]", code[j:])
            if not k:
                break
            j += k.end()
        end = _item_end(code, j)
        code = code[: m.start()] + _blank(code[m.start() : end]) + code[end:]


if __name__ == "__main__":
    cases = [
        ('let u = "https://x"; use crate::a::B;', "use crate::a::B;"),
        ("// a \" quote\nuse crate::c;", "use crate::c;"),
        ('let r = r#"a " // b"#; use crate::d;', "use crate::d;"),
        ("let c = '\"'; use crate::e;", "use crate::e;"),
        ('let m = "\nline\n"; use crate::h;', "use crate::h;"),
        ("fn f<'a>(x: &'a str) {} use crate::f;", "use crate::f;"),
        ("#[cfg(test)]\nmod tests { use crate::t; }\nuse crate::after;", "use crate::after;"),
        ("#[cfg(test)]\n#[allow(x)]\nfn only_test() { crate::t(); }\nfn real() { crate::g(); }", "crate::g()"),
    ]
    bad = 0
    for src, want in cases:
        got = code_of(src)
        if want not in got or "crate::t" in got or got.count("\n") != src.count("\n"):
            print(f"FAIL {src!r} -> {got!r}")
            bad += 1
    print(f"rust_source: {len(cases) - bad}/{len(cases)} cases")
    raise SystemExit(1 if bad else 0)
