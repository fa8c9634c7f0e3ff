#!/usr/bin/env python3
"""Finds import circles between the source files of each crate (crates/*/src).

A file imports another when it names a path into it: `use crate::a::b`, `crate::a::b::f(...)`,
`super::x` (resolved from the file's module). Paths are mapped to the deepest file that
exists. `#[cfg(test)]` modules and test files (`tests.rs`, `test_support.rs`) are left out:
tests may reach anywhere. Prints every circle and exits 1 when there is one.

Usage: python3 tools/import_cycles.py [ROOT]
"""

import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
PATH_RE = re.compile(r"\b(crate|super)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
USE_GROUP_RE = re.compile(r"use\s+(crate|super)((?:::[A-Za-z_][A-Za-z0-9_]*)*)::\{([^;]*)\};", re.S)


def module_of(src, path):
    rel = os.path.relpath(path, src)[:-3].split(os.sep)
    if rel[-1] in ("lib", "main", "mod"):
        rel = rel[:-1]
    return rel


def file_of(src, module):
    """The deepest existing file of a module path (a list of names)."""
    for n in range(len(module), -1, -1):
        base = os.path.join(src, *module[:n]) if n else src
        for cand in (base + ".rs", os.path.join(base, "mod.rs")):
            if n and os.path.isfile(cand):
                return cand
        if n == 0:
            for top in ("lib.rs", "main.rs"):
                if os.path.isfile(os.path.join(src, top)):
                    return os.path.join(src, top)
    return None


def strip_tests(text):
    """The text without `#[cfg(test)]` items (a module or a `mod x;` line)."""
    out, i = [], 0
    while True:
        j = text.find("#[cfg(test)]", i)
        if j < 0:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:j])
        k = j + len("#[cfg(test)]")
        semi, brace = text.find(";", k), text.find("{", k)
        if semi >= 0 and (brace < 0 or semi < brace):
            i = semi + 1
            continue
        depth, p = 0, brace
        while p < len(text):
            if text[p] == "{":
                depth += 1
            elif text[p] == "}":
                depth -= 1
                if depth == 0:
                    break
            p += 1
        i = p + 1


def edges_of(src):
    files = []
    for d, _, names in os.walk(src):
        files += [os.path.join(d, n) for n in names if n.endswith(".rs")]
    files = [f for f in files if os.path.basename(f) not in ("tests.rs", "test_support.rs")]
    edges = {f: set() for f in files}
    for f in files:
        text = strip_tests(open(f, encoding="utf-8").read())
        text = re.sub(r"//[^\n]*", "", text)
        me = module_of(src, f)
        paths = []
        for m in USE_GROUP_RE.finditer(text):
            for item in re.split(r",", m.group(3)):
                item = item.strip().split(" as ")[0].strip()
                if item and item != "self":
                    paths.append((m.group(1), m.group(2) + "::" + item.split("::")[0]))
        paths += [(m.group(1), m.group(2)) for m in PATH_RE.finditer(text)]
        for head, rest in paths:
            names = [p for p in rest.split("::") if p]
            if head == "crate":
                target = names
            else:
                base = me if os.path.basename(f) in ("mod.rs", "lib.rs") else me[:-1]
                ups = 1 + len([n for n in names if n == "super"]) - 1
                names = [n for n in names if n != "super"]
                target = base[: len(base) - ups + 1] + names if ups else base + names
            t = file_of(src, target)
            if t and t != f and t in edges:
                edges[f].add(t)
    return edges


def circles(edges):
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
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
    for v in edges:
        if v not in index:
            visit(v)
    return out


def main():
    found = 0
    crates = os.path.join(ROOT, "crates")
    for c in sorted(os.listdir(crates)):
        src = os.path.join(crates, c, "src")
        if not os.path.isdir(src):
            continue
        edges = edges_of(src)
        # A parent module declaring its children is not an import of them.
        for comp in circles(edges):
            found += 1
            print(f"circle in crates/{c}: " + " -> ".join(os.path.relpath(p, src) for p in comp))
        print(f"crates/{c}: {len(edges)} files, {sum(map(len, edges.values()))} imports", file=sys.stderr)
    if found:
        sys.exit(1)
    print("no import circle")


if __name__ == "__main__":
    main()
