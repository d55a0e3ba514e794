#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""No two source files depend on each other in a loop.

Two graphs over the modules of the tree (a module: foo.c with foo.h):
  calls     a -> b when a.o uses a symbol that b.o defines (nm, on the
            build tree's objects);
  includes  a -> b when a.c or a.h includes b.h.
A loop is a strongly connected component of more than one module.  Each
is printed; the exit status is 1 when there is one.

usage: check-no-loops.py SRCDIR BUILDDIR DIR...
"""
import os
import re
import subprocess
import sys

INCLUDE = re.compile(r'\s*#\s*include\s+"([^"]+)\.h"')


def loops(graph):
    """Tarjan's strongly connected components of more than one node."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def sources(srcdir, dirs):
    """Module name (path without extension) of every .c and .h."""
    mods = {}
    for d in dirs:
        for root, _, files in os.walk(os.path.join(srcdir, d)):
            for f in files:
                if f.endswith(('.c', '.h')):
                    rel = os.path.relpath(os.path.join(root, f), srcdir)
                    mods.setdefault(rel[:-2], []).append(rel)
    return mods


def object_module(builddir, path, mods):
    """The module an automake object (dir/[target-]name.o) was built from."""
    rel = os.path.relpath(path, builddir)[:-2]
    d, name = os.path.split(rel)
    parts = name.split('-')
    for i in range(len(parts)):
        cand = os.path.join(d, '-'.join(parts[i:]))
        if cand in mods:
            return cand
    return None


def call_graph(builddir, dirs, mods):
    defs, uses = {}, {}
    for d in dirs:
        for root, _, files in os.walk(os.path.join(builddir, d)):
            for f in files:
                if not f.endswith('.o'):
                    continue
                mod = object_module(builddir, os.path.join(root, f), mods)
                if mod is None:
                    continue
                out = subprocess.run(['nm', os.path.join(root, f)], check=True,
                                     capture_output=True, text=True).stdout
                for line in out.splitlines():
                    w = line.split()
                    if len(w) == 2 and w[0] == 'U':
                        uses.setdefault(mod, set()).add(w[1])
                    elif len(w) == 3 and w[1] in 'TDBRG':
                        defs.setdefault(w[2], set()).add(mod)
    graph = {}
    for mod, syms in uses.items():
        for s in syms:
            for m in defs.get(s, ()):
                if m != mod:
                    graph.setdefault(mod, set()).add(m)
    return graph


def include_graph(srcdir, mods):
    by_base = {}
    for mod in mods:
        by_base.setdefault(os.path.basename(mod), set()).add(mod)
    graph = {}
    for mod, files in mods.items():
        for f in files:
            with open(os.path.join(srcdir, f), errors='replace') as fh:
                for line in fh:
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    inc = m.group(1)
                    targets = {inc} & set(mods) or by_base.get(os.path.basename(inc), set())
                    for t in targets:
                        if t != mod:
                            graph.setdefault(mod, set()).add(t)
    return graph


def main():
    if len(sys.argv) < 4:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    srcdir, builddir, dirs = sys.argv[1], sys.argv[2], sys.argv[3:]
    mods = sources(srcdir, dirs)
    status = 0
    n_objects = 0
    calls = call_graph(builddir, dirs, mods)
    n_objects = len(calls)
    for kind, graph in (('call', calls), ('include', include_graph(srcdir, mods))):
        for comp in loops(graph):
            status = 1
            print(f'{kind} loop: ' + ' <-> '.join(comp))
    if n_objects < 20:
        print(f'only {n_objects} modules with calls found under {builddir}: not built?')
        return 99
    if status == 0:
        print(f'no loops among {len(mods)} modules ({n_objects} calling others)')
    return status


sys.exit(main())
