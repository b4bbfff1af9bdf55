#!/usr/bin/env python3
"""Checks the layering of the workspace: no import circle between the top-level modules of any
crate (../shared/tools/modcycles.py's rule, repeated here so that CI needs nothing outside the
repository), and in rookery-service nothing in a lower floor imports a higher one.

A module A "imports" B when a file of A names `crate::B` (in a `use`, a path or a doc link) or
`super::B` from a file directly under src/; unit-test modules are ignored. Exits 1 on any
violation, naming it.
"""
import os
import re
import sys

# rookery-service, bottom to top (see its lib.rs). A module may import its own floor and below.
FLOORS = [
    ("words", "text ids time scopes failure error dirlock freespace limits nested placements process config"),
    ("jobs", "jobs usage_log"),
    ("identity and state", "auth quota state"),
    ("execution", "ops prov federation workflow dashboard quicklook site_usage check_report estimate execute slurm runner"),
    ("http", "gate xml wps ogc data wis2 ui conn server"),
]

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
crates_dir = os.path.join(root, "crates")
PAT = re.compile(r"\bcrate::(?:\{([^}]*)\}|(\w+))")


def graph_of(src):
    mods = {}
    for e in os.listdir(src):
        p = os.path.join(src, e)
        if e.endswith(".rs") and e not in ("lib.rs", "main.rs"):
            mods[e[:-3]] = [p]
        elif os.path.isdir(p):
            mods[e] = [os.path.join(dp, f) for dp, _, fs in os.walk(p) for f in fs if f.endswith(".rs")]
    graph = {m: set() for m in mods}
    for m, files in mods.items():
        for f in files:
            if os.path.basename(f) == "tests.rs":
                continue  # a unit-test module in a file of its own (`#[cfg(test)] mod tests;`)
            text = open(f, encoding="utf-8", errors="replace").read()
            text = re.sub(r"#\[cfg\(test\)\]\s*mod tests\s*\{.*", "", text, flags=re.S)
            for grp, one in PAT.findall(text):
                for c in [one] if one else [x.strip().split("::")[0] for x in grp.split(",")]:
                    if c in mods and c != m:
                        graph[m].add(c)
            if os.path.dirname(f) == src:
                for c in re.findall(r"\bsuper::(\w+)", text):
                    if c in mods and c != m:
                        graph[m].add(c)
    return graph


def circles(graph):
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
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


bad = 0
for crate in sorted(os.listdir(crates_dir)):
    src = os.path.join(crates_dir, crate, "src")
    if not os.path.isdir(src):
        continue
    g = graph_of(src)
    for comp in circles(g):
        bad += 1
        print(f"{crate}: import circle: {' '.join(comp)}")
    if crate == "rookery-service":
        floor = {m: i for i, (_, ms) in enumerate(FLOORS) for m in ms.split()}
        for m in sorted(g):
            if m not in floor:
                bad += 1
                print(f"{crate}: module '{m}' has no floor (add it to FLOORS in scripts/floors.py and to lib.rs)")
                continue
            for d in sorted(g[m]):
                if d in floor and floor[d] > floor[m]:
                    bad += 1
                    print(f"{crate}: {m} ({FLOORS[floor[m]][0]}) imports {d} ({FLOORS[floor[d]][0]}), a higher floor")
print(f"floors.py: {bad} violation(s)")
sys.exit(1 if bad else 0)
