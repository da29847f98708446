#!/usr/bin/env python3
"""Fails when a source file includes a subsystem its folder may not depend on.

The rule is written in docs/architecture.md; this is its executable form.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
ALLOWED = {
    "domain": {"domain"},
    "store": {"domain", "store"},
    "text": {"domain", "text"},
    "geo": {"domain", "geo"},
    "classify": {"domain", "text", "classify", "service"},  # service/csv.h only (below)
    "kb": {"domain", "text", "kb", "service"},  # service/csv.h only (below)
    "service": {"domain", "store", "text", "geo", "analytics", "classify", "kb", "service"},
    "api": {"domain", "service", "store", "analytics", "api"},
    "analytics": {"domain", "analytics"},
}
# Files outside store/ may use the interface, never a backend.
BACKENDS = ("store/sqlite/", "store/postgres/")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)

failures = []
checked = 0
for folder, allowed in ALLOWED.items():
    for path in sorted((ROOT / folder).rglob("*")):
        if path.suffix not in (".h", ".cc"):
            continue
        checked += 1
        rel = path.relative_to(ROOT).as_posix()
        for inc in INCLUDE.findall(path.read_text(encoding="utf-8", errors="replace")):
            top = inc.split("/")[0]
            if top not in ALLOWED and top not in ("app", "bench", "tests", "web"):
                continue  # a third-party or same-directory header
            if top not in allowed:
                failures.append(f"{rel}: includes {inc} ({folder}/ may use {sorted(allowed)})")
            elif folder in ("classify", "kb") and top == "service" and inc != "service/csv.h":
                failures.append(f"{rel}: includes {inc} ({folder}/ may use service/csv.h only)")
            elif folder != "store" and inc.startswith(BACKENDS) and not rel.endswith("_test.cc") \
                    and "test_fixture" not in rel:
                failures.append(f"{rel}: includes the storage backend {inc}; take a Store& instead")

for f in failures:
    print(f)
print(f"{checked - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
