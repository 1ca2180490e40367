#!/usr/bin/env python3
"""Files that import each other in a circle, per crate (issue 20).

An edge A -> B means file A names something that lives in file B: a `use` (also `pub use`), or a path
written in the code (`crate::store::Store`, `super::Visibility`, `composition::Trades` for a child
module). Not edges: `mod x;` declarations (a parent declares its children), a file naming its own
parent modules (`super::Visibility` in a child: children build on their parent, the way Rust modules
nest), and `#[cfg(test)]` test modules (a test may use anything). Prints each strongly connected set of two or more
files and exits 1 if there is one.

Usage: scripts/import_cycles.py [CRATE_SRC_DIR ...]   (default: the workspace's three crates)
"""

import os
import re
import sys

DEFAULT_ROOTS = ["crates/protocol/src", "crates/core/src", "src"]
SKIP_DIRS = {"bin"}  # binaries are their own crates (src/bin/*.rs, src/main.rs)
SKIP_FILES = {"main.rs"}


def module_path(root, path):
    rel = os.path.relpath(path, root)[:-3].split(os.sep)
    if rel[-1] in ("mod", "lib"):
        rel = rel[:-1]
    return tuple(rel)


def strip_code(text):
    """Comments, strings and `#[cfg(test)]` modules removed (what is left is what the compiler links)."""
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r'r#*"(?:.|\n)*?"#*', '""', text)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    text = re.sub(r"'(?:\\.|[^'\\])'", "' '", text)
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+\w+\s*(\{|;)", text):
        if m.start() < i:
            continue
        out.append(text[i:m.start()])
        if m.group(1) == ";":
            i = m.end()
            continue
        depth, j = 1, m.end()
        while j < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        i = j
    out.append(text[i:])
    return "".join(out)


def expand_use(tree):
    """`a::{b::C, d}` -> ['a::b::C', 'a::d'] (nested braces too)."""
    tree = re.sub(r"\s+", "", tree)
    m = re.match(r"^(.*?)\{(.*)\}$", tree)
    if not m:
        return [re.sub(r"\bas\w+$", "", tree)]
    prefix, inner = m.group(1), m.group(2)
    parts, depth, cur = [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += {"{": 1, "}": -1}.get(ch, 0)
        cur += ch
    parts.append(cur)
    out = []
    for p in parts:
        if p:
            out.extend(prefix + x for x in expand_use(p))
    return out


def is_ancestor(a, b):
    """Module `a` contains module `b` (a strict prefix of its path)."""
    return len(a) < len(b) and b[: len(a)] == a


def edges_of(root, files):
    mods = {module_path(root, f): f for f in files}
    children = {}
    for m in mods:
        if m:
            children.setdefault(m[:-1], set()).add(m[-1])
    graph = {f: set() for f in files}
    for f in files:
        here = module_path(root, f)
        code = strip_code(open(f, encoding="utf-8").read())
        paths = []
        for m in re.finditer(r"\buse\s+([^;]+);", code):
            paths.extend(expand_use(m.group(1)))
        code_no_use = re.sub(r"\buse\s+[^;]+;", "", code)
        paths.extend(re.findall(r"\b(?:crate|super|self)(?:::\w+)+", code_no_use))
        kids = children.get(here, set())
        if kids:
            pat = r"(?<![:\w])(?:%s)(?:::\w+)+" % "|".join(sorted(kids))
            paths.extend("self::" + p for p in re.findall(pat, code_no_use))
        for p in paths:
            segs = [s for s in p.split("::") if s]
            if not segs:
                continue
            if segs[0] == "crate":
                base, rest = (), segs[1:]
            elif segs[0] in ("super", "self"):
                base = here
                while segs and segs[0] in ("super", "self"):
                    if segs[0] == "super":
                        base = base[:-1]
                    segs = segs[1:]
                rest = segs
            elif segs[0] in kids:
                base, rest = here, segs
            else:
                continue  # another crate or a name in scope
            target = None
            for n in range(len(rest), -1, -1):
                cand = base + tuple(rest[:n])
                if cand in mods:
                    target = mods[cand]
                    break
            if target and target != f and not is_ancestor(module_path(root, target), here):
                graph[f].add(target)
    return graph


def cycles(graph):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
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
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def self_test():
    """The checker finds a circle it should and none where there is none."""
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        def write(rel, text):
            os.makedirs(os.path.dirname(os.path.join(d, rel)), exist_ok=True)
            open(os.path.join(d, rel), "w").write(text)
        write("lib.rs", "pub mod a;\npub mod b;\n")
        write("a/mod.rs", "pub mod c;\nuse crate::b::B;\npub struct A(c::C);\n")
        write("a/c.rs", "use super::A; // a child naming its parent is no edge\npub struct C;\n")
        write("b.rs", "pub struct B;\n#[cfg(test)]\nmod tests { use crate::a::A; }\n")
        files = [os.path.join(r, n) for r, _, ns in os.walk(d) for n in ns]
        assert cycles(edges_of(d, sorted(files))) == [], "no circle expected"
        write("b.rs", "pub struct B(crate::a::c::C);\n")
        write("a/c.rs", "pub struct C(crate::b::B);\n")
        found = cycles(edges_of(d, sorted(files)))
        names = [sorted(os.path.relpath(f, d) for f in comp) for comp in found]
        assert names == [["a/c.rs", "b.rs"]], names
    print("import_cycles self-test passed")


def main():
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        return 0
    roots = sys.argv[1:] or DEFAULT_ROOTS
    found = 0
    for root in roots:
        files = []
        for d, dirs, names in os.walk(root):
            dirs[:] = [x for x in dirs if not (d == root and x in SKIP_DIRS)]
            files += [os.path.join(d, n) for n in names if n.endswith(".rs")
                      and not (d == root and n in SKIP_FILES)]
        graph = edges_of(root, sorted(files))
        for comp in cycles(graph):
            found += 1
            print("circle in %s:" % root)
            for f in comp:
                inside = sorted(os.path.relpath(t, root) for t in graph[f] if t in comp)
                print("  %s -> %s" % (os.path.relpath(f, root), ", ".join(inside)))
    if found:
        print("%d circle(s) between files: give each dependency one direction" % found)
        return 1
    print("no circles between files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
