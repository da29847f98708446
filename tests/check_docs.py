#!/usr/bin/env python3
"""The lifecycle doc and the OpenAPI file must name every action and state the code has."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
code = (ROOT / "domain/workflow.cc").read_text(encoding="utf-8")
types = (ROOT / "domain/types.cc").read_text(encoding="utf-8")
actions = re.findall(r'\{Action::k\w+, "(\w+)", "', code)
states = re.findall(r'\{State::k\w+, "(\w+)", "', types)
docs = {
    "docs/lifecycle.md": (ROOT / "docs/lifecycle.md").read_text(encoding="utf-8"),
    "docs/openapi.yaml": (ROOT / "docs/openapi.yaml").read_text(encoding="utf-8"),
}
passed, failed = 0, 0
for name, text in docs.items():
    for word in actions + states:
        if re.search(r"\b%s\b" % re.escape(word), text):
            passed += 1
        else:
            failed += 1
            print(f"{name} does not mention '{word}'")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or not actions or not states else 0)
