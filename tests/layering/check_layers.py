#!/usr/bin/python3
"""Checks that every include in the tree runs in an allowed direction between the engine's stages.

The allowed directions come from engine/CMakeLists.txt (written by CMake to <build>/engine-stages.txt as
"stage:used,used;..."); the rules that no table can express (which stages may touch HDF5, CUDA, Qt or write files)
are below and in docs/ARCHITECTURE.md. Exit status 1 and one line per violation when something crosses a line.

    check_layers.py --root SOURCE_DIR --stages BUILD/engine-stages.txt [--plant FILE:HEADER]

--plant adds `#include <HEADER>` to FILE in memory only: the layering test uses it to show that a violation is found.
"""
import argparse
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')
SOURCE_SUFFIXES = {".h", ".hpp", ".cpp", ".cu", ".cuh"}

# Third-party headers that only some engine stages may include (prefix match on the include path).
HDF5 = ("hdf5.h", "H5")
CUDA = ("cuda", "cufft", "cublas", "cusparse", "thrust/")
QT = ("Q", "qcustomplot")
ONLY = {
    HDF5: {"hdf5", "sources", "results"},
    CUDA: {"gpu"},
}
# Stages that never write files: no streams or C file handles in their sources.
NO_FILE_WRITES = {"correlation", "invariants", "reconstruction", "shots", "polar", "geometry"}
FILE_WRITE = re.compile(r"\b(std::ofstream|std::fstream|fopen|::open\s*\(|H5Fcreate)\b")


def read_stages(path):
    table = {}
    for entry in pathlib.Path(path).read_text().strip().split(";"):
        if entry:
            name, _, uses = entry.partition(":")
            table[name] = [u for u in uses.split(",") if u]
    closure = {}

    def reach(stage):
        if stage not in closure:
            closure[stage] = set()
            for used in table[stage]:
                closure[stage] |= {used} | reach(used)
        return closure[stage]

    for stage in table:
        reach(stage)
    return table, closure


def includes(path, planted):
    lines = path.read_text(errors="replace").splitlines()
    for header in planted.get(path.resolve(), []):
        lines.insert(0, f"#include <{header}>")
    for number, line in enumerate(lines, 1):
        m = INCLUDE.match(line)
        if m:
            yield number, m.group(1), line
        elif FILE_WRITE.search(line) and not line.lstrip().startswith("//"):
            yield number, None, line


def stage_of_include(header, stages):
    parts = header.split("/")
    if len(parts) >= 3 and parts[0] == "fxs" and parts[1] in stages:
        return parts[1]
    return None


def check_engine(root, table, closure, planted):
    problems = []
    for stage in table:
        for path in sorted((root / "engine" / stage).rglob("*")):
            if path.suffix not in SOURCE_SUFFIXES:
                continue
            rel = path.relative_to(root)
            for number, header, line in includes(path, planted):
                where = f"{rel}:{number}"
                if header is None:
                    if stage in NO_FILE_WRITES:
                        problems.append(f"{where} writes a file ({line.strip()}): the {stage} stage never writes files")
                    continue
                used = stage_of_include(header, table)
                if used and used != stage and used not in closure[stage]:
                    allowed = ", ".join(sorted(closure[stage])) or "nothing"
                    problems.append(f"{where} includes <{header}>: the {stage} stage may use {allowed} "
                                    f"(engine/CMakeLists.txt, docs/ARCHITECTURE.md)")
                if re.fullmatch(r"fxs/[A-Z][A-Za-z0-9]*\.h", header):
                    problems.append(f"{where} includes <{header}>: engine headers are <fxs/<stage>/X.h>")
                for prefixes, stages in ONLY.items():
                    if header.startswith(prefixes) and stage not in stages:
                        problems.append(f"{where} includes <{header}>: only the {', '.join(sorted(stages))} "
                                        f"stage(s) may use that library, not {stage}")
                if header.startswith(QT) and "/" not in header:
                    problems.append(f"{where} includes <{header}>: the engine never uses Qt")
    return problems


def check_front_ends(root, table, planted):
    """Outside the engine: no flat engine includes, no pipeline internals; the worker has no Qt and no gRPC."""
    problems = []
    for folder in ("app", "widgets", "remote", "tests", "python"):
        for path in sorted((root / folder).rglob("*")) if (root / folder).exists() else []:
            # tests/data holds files of earlier versions (fixtures and how they were made), not code of this tree.
            if path.suffix not in SOURCE_SUFFIXES or "build" in path.parts or rel_parts(root, path)[:2] == ("tests", "data"):
                continue
            rel = path.relative_to(root)
            worker = rel.parts[:2] == ("remote", "worker")
            for number, header, _ in includes(path, planted):
                if header is None:
                    continue
                if re.fullmatch(r"fxs/[A-Z][A-Za-z0-9]*\.h", header):
                    problems.append(f"{rel}:{number} includes <{header}>: engine headers are <fxs/<stage>/X.h>")
                if worker and (header.startswith(("grpc", "Q")) or header.endswith(".grpc.pb.h")):
                    problems.append(f"{rel}:{number} includes <{header}>: fxs-worker links the engine and MPI only")
    return problems


def rel_parts(root, path):
    return path.relative_to(root).parts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, type=pathlib.Path)
    parser.add_argument("--stages", required=True)
    parser.add_argument("--plant", action="append", default=[], help="FILE:HEADER, an include added in memory")
    args = parser.parse_args()
    table, closure = read_stages(args.stages)
    planted = {}
    for p in args.plant:
        file, _, header = p.partition(":")
        planted.setdefault((args.root / file).resolve(), []).append(header)
    problems = check_engine(args.root, table, closure, planted) + check_front_ends(args.root, table, planted)
    for p in problems:
        print(p)
    checked = sum(1 for _ in (args.root / "engine").rglob("*") if _.suffix in SOURCE_SUFFIXES)
    print(f"check_layers: {len(table)} stages, {checked} engine files, {len(problems)} violation(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
