#!/usr/bin/env python3
"""Scenario tests as data files: each tests/scenarios/*.json is a sequence of
API calls with expected replies, run against the real `hotline` binary.

A scenario file is either a list of steps or an object
  {"description": "...", "fixture": "minimal" | "demo", "steps": [...]}.
Default fixture "minimal": `hotline init` plus the organisation and users of
tests/scenarios/fixtures/minimal.json, itself a list of steps ("jinan": a city-rooted store,
fixtures/jinan.json; a fixture's "init" lists extra `hotline init` arguments). "demo":
`hotline demo --no-serve --months 0` (users admin/agent/dispatcher/supervisor,
password "demo").

Steps:
  {"login": "agent", "password": "demo", "expect": {...}}   log in, keep the token
  {"call": "POST /api/v1/orders", "as": "agent", "body": {...} | "raw": "text",
   "headers": {...}, "content_type": "text/csv", "expect": {"status": 201, "json": {...}, "length": {"items": 2},
   "absent": ["caller.phone"]}, "save": {"order": "id", "n": "#items"}}
  {"restart": true}                 SIGTERM, then start the same binary on the same DB
  {"kill": true}                    SIGKILL, then start again (crash recovery)
  {"advance_days": N}               moves the fake clock (needs `serve --clock-file`)
  {"note": "..."}                   a comment
Substitution: "${name}" anywhere in paths, headers and bodies; a string that is
exactly "${name}" keeps the saved value's type. Built in: ${now} (server clock,
ISO 8601 +08:00; ${now_epoch} in epoch seconds), ${uniq} (a fresh number each use).
Variables: "vars" in the fixture or the scenario preset names (e.g. the subject
code used for dispatch, or "events": where the event list sits in the reply).
Matching: expected keys must match, "*" = any value present, "<absent>" = key
missing, "<nonempty>" = present and not empty, lists by index, key "" = the object itself. Save paths are
dotted ("items.0.id"); "#path" saves a list's length ("#" = the body's).

Usage: run_scenarios.py --binary PATH --data DIR [--backend sqlite|postgres] [--only SUBSTR]
       [FILES...]
--backend postgres runs every file on a fresh database of a throwaway PostgreSQL cluster
(server binaries from `pg_config --bindir`; missing ones fail the run, never skip it).
Prints each failing step with its request and reply; ends with "N passed, M failed".
"""

import argparse
import datetime
import glob
import itertools
import json
import os
import re
import shutil
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hotline_proc import PgCluster, Server, help_text, run_cli, store_args  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PASSWORD = "demo"
# Monday 2 March 2026, 09:00 Beijing time: a working morning, so deadlines are predictable.
CLOCK_START = 1772413200
_uniq = itertools.count(1)


class StepFailure(Exception):
    pass


class Skip(Exception):
    pass


# ---------------------------------------------------------------- matching

def get_path(value, path):
    if path in ("", "."):
        return value
    for part in path.split("."):
        if isinstance(value, list):
            try:
                value = value[int(part)]
            except (ValueError, IndexError):
                raise KeyError(path)
        elif isinstance(value, dict):
            if part not in value:
                raise KeyError(path)
            value = value[part]
        else:
            raise KeyError(path)
    return value


def match(expected, actual, where="$"):
    """Returns a list of mismatch descriptions (empty when `actual` fits)."""
    if expected == "*":
        return []
    if expected == "<nonempty>":
        return [] if actual not in (None, "", [], {}) else ["%s: expected non-empty, got %r" %
                                                             (where, actual)]
    if isinstance(expected, dict):
        if "" in expected:  # the value itself (lets a saved path name the root)
            rest = {k: v for k, v in expected.items() if k != ""}
            return match(expected[""], actual, where) + (match(rest, actual, where) if rest else [])
        if not isinstance(actual, dict):
            return ["%s: expected an object, got %s" % (where, short(actual))]
        out = []
        for k, v in expected.items():
            if v == "<absent>":
                if k in actual and actual[k] not in (None, ""):
                    out.append("%s.%s: expected absent, got %s" % (where, k, short(actual[k])))
                continue
            if k not in actual:
                out.append("%s.%s: missing" % (where, k))
                continue
            out += match(v, actual[k], "%s.%s" % (where, k))
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return ["%s: expected a list, got %s" % (where, short(actual))]
        if len(actual) < len(expected):
            return ["%s: expected at least %d items, got %d" % (where, len(expected), len(actual))]
        out = []
        for i, v in enumerate(expected):
            out += match(v, actual[i], "%s[%d]" % (where, i))
        return out
    # Scalars: numbers compare by value (1 == 1.0); bool is not a number here.
    if isinstance(expected, bool) or isinstance(actual, bool):
        ok = expected is actual
    elif isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        ok = expected == actual
    else:
        ok = expected == actual
    return [] if ok else ["%s: expected %s, got %s" % (where, short(expected), short(actual))]


def short(v, n=300):
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= n else s[:n] + "..."


# ---------------------------------------------------------------- running

class Runner:
    def __init__(self, binary, data, workdir, fixture, db=None):
        self.binary, self.data, self.workdir, self.fixture = binary, data, workdir, fixture
        self.db = db or os.path.join(workdir, "hotline.db")
        self.vars = {}
        self.tokens = {}
        self.passwords = {}
        self.clock_file = None
        self.now = None
        if "--clock-file" in help_text(binary, "serve"):
            self.clock_file = os.path.join(workdir, "clock")
            self.set_clock(CLOCK_START)
        self.server = Server(binary, self.db, data=data, clock_file=self.clock_file)

    def set_clock(self, t):
        self.now = t
        tmp = self.clock_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % t)
        os.replace(tmp, self.clock_file)

    def now_value(self):
        return self.now if self.clock_file else int(time.time())

    def now_iso(self):
        tz = datetime.timezone(datetime.timedelta(hours=8))  # the API speaks +08:00
        return datetime.datetime.fromtimestamp(self.now_value(), tz).isoformat(timespec="seconds")

    def setup(self):
        if self.fixture == "demo":
            args = ["demo", *store_args(self.db), "--no-serve", "--months", "0", "--port", "0"]
            if self.data:
                args += ["--data", self.data]
            run_cli(self.binary, *args)
            self.server.start()
        else:
            steps = load(os.path.join(HERE, "scenarios", "fixtures", "%s.json" % self.fixture))
            args = ["init", *store_args(self.db), "--admin-password", PASSWORD,
                    "--min-password-length", "4", *steps.get("init", [])]
            if self.data:
                args += ["--data", self.data]
            run_cli(self.binary, *args)
            self.server.start()
            self.vars.update(steps.get("vars", {}))
            for i, step in enumerate(steps["steps"]):
                self.step(step, "fixture %s step %d" % (self.fixture, i + 1))

    def close(self):
        self.server.kill()

    # Substitutes ${name} recursively.
    def subst(self, v):
        if isinstance(v, str):
            m = re.fullmatch(r"\$\{(\w+)\}", v)
            if m:
                return self.var(m.group(1))
            return re.sub(r"\$\{(\w+)\}", lambda m: str(self.var(m.group(1))), v)
        if isinstance(v, list):
            return [self.subst(x) for x in v]
        if isinstance(v, dict):
            return {self.subst(k): self.subst(x) for k, x in v.items()}
        return v

    def var(self, name):
        if name == "now":
            return self.now_iso()
        if name == "now_epoch":
            return self.now_value()
        if name == "uniq":
            return "%d%d" % (os.getpid(), next(_uniq))
        if name not in self.vars:
            raise StepFailure("${%s} is not saved yet" % name)
        return self.vars[name]

    def token(self, who):
        if who not in self.tokens:
            self.do_login(who, self.passwords.get(who, PASSWORD))
        return self.tokens[who]

    def do_login(self, who, password, expect=None):
        body = {"login": who, "password": password}
        st, js, text, _ = self.server.request("POST", "/auth/login", body)
        if expect is not None:
            self.check(expect, st, js, text, "POST /api/v1/auth/login", body)
            if st == 200 and isinstance(js, dict) and "token" in js:
                self.tokens[who] = js["token"]
            return
        if st != 200 or not isinstance(js, dict) or "token" not in js:
            raise StepFailure("login %s failed\n  reply: %d %s" % (who, st, text[:800]))
        self.tokens[who] = js["token"]
        self.passwords[who] = password

    def check(self, expect, st, js, text, req, body):
        problems = []
        if "status" in expect:
            want = expect["status"]
            if (st not in want) if isinstance(want, list) else (st != want):
                problems.append("status: expected %s, got %d" % (want, st))
        if "json" in expect:
            if js is None:
                problems.append("body is not JSON")
            else:
                problems += match(self.subst(expect["json"]), js)
        for path, n in self.subst(expect.get("length", {})).items():
            try:
                got = get_path(js, path)
                if not isinstance(got, list) or len(got) != n:
                    problems.append("length of %s: expected %s, got %s" %
                                    (path or "$", n, len(got) if isinstance(got, list) else short(got)))
            except KeyError:
                problems.append("%s: missing" % path)
        for path in expect.get("absent", []):
            try:
                got = get_path(js, path)
                if got not in (None, ""):
                    problems.append("%s: expected absent, got %s" % (path, short(got)))
            except KeyError:
                pass
        for s in expect.get("body_contains", []):
            if s not in text:
                problems.append("body does not contain %r" % s)
        for s in expect.get("body_lacks", []):
            if s in text:
                problems.append("body contains %r" % s)
        if problems:
            raise StepFailure("%s\n  request: %s %s\n  reply: %d %s" % (
                "\n  ".join(problems), req, short(body, 1500) if body is not None else "",
                st, text[:2000]))

    def step(self, step, label):
        if "note" in step and len(step) == 1:
            return
        if "login" in step:
            who = step["login"]
            self.do_login(who, step.get("password", PASSWORD), step.get("expect"))
            return
        if step.get("restart") or step.get("kill"):
            if step.get("kill"):
                self.server.kill()
            else:
                rc = self.server.stop()
                if rc not in (0, -15, 143):
                    raise StepFailure("server exited %s on SIGTERM:\n%s" %
                                      (rc, "\n".join(self.server.log[-30:])))
            self.server.start()
            if not step.get("keep_tokens"):
                self.tokens.clear()
            return
        if "advance_days" in step or "advance_seconds" in step:
            if not self.clock_file:
                raise Skip("the binary has no `serve --clock-file`; cannot advance time")
            self.set_clock(self.now + int(step.get("advance_days", 0)) * 86400 +
                           int(step.get("advance_seconds", 0)))
            self.tokens.clear()  # sessions expire on the same clock
            return
        if "call" in step:
            method, path = step["call"].split(" ", 1)
            path = self.subst(path)
            who = step.get("as")
            token = self.token(who) if who else None
            if "token" in step:
                token = self.subst(step["token"])
            headers = self.subst(step.get("headers", {}))
            body = self.subst(step["body"]) if "body" in step else None
            raw = self.subst(step["raw"]) if "raw" in step else None
            if isinstance(raw, list):  # lines of a CSV body
                raw = "\n".join(raw) + "\n"
            st, js, text, _ = self.server.request(method, path, body=body, token=token,
                                                  headers=headers, raw=raw,
                                                  content_type=step.get("content_type",
                                                                        "application/json"))
            req = "%s %s (as %s)" % (method, path, who or "nobody")
            self.check(step.get("expect", {"status": [200, 201]}), st, js, text, req,
                       body if raw is None else raw)
            for name, p in step.get("save", {}).items():
                p = self.subst(p)
                try:
                    if p.startswith("#"):
                        v = get_path(js, p[1:])
                        self.vars[name] = len(v)
                    else:
                        self.vars[name] = get_path(js, p)
                except (KeyError, TypeError):
                    raise StepFailure("cannot save %s from %r\n  request: %s\n  reply: %d %s" %
                                      (name, p, req, st, text[:1500]))
            return
        raise StepFailure("unknown step: %s" % short(step))


def load(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    if isinstance(doc, list):
        doc = {"steps": doc}
    doc.setdefault("fixture", "minimal")
    return doc


def describe(step):
    if "call" in step:
        return "%s as %s" % (step["call"], step.get("as", "nobody"))
    return short(step, 120)


def run_file(path, args):
    doc = load(path)
    name = os.path.relpath(path, HERE)
    workdir = tempfile.mkdtemp(prefix="hotline-scn-")
    runner = None
    try:
        db = args.cluster.new_database() if args.cluster else None
        runner = Runner(args.binary, args.data, workdir, doc["fixture"], db)
        runner.setup()
        runner.vars.update(doc.get("vars", {}))
        for i, step in enumerate(doc["steps"]):
            try:
                runner.step(step, "step %d" % (i + 1))
            except StepFailure as e:
                print("FAIL %s step %d (%s)%s\n  %s" % (
                    name, i + 1, describe(step),
                    " — " + step["why"] if "why" in step else "", e))
                return False
        print("ok   %s (%d steps)" % (name, len(doc["steps"])))
        return True
    except Skip as e:
        print("SKIP %s: %s" % (name, e))
        return None
    except (StepFailure, RuntimeError, OSError) as e:
        print("FAIL %s (setup or server): %s" % (name, e))
        if runner and runner.server.log:
            print("  server log:\n    " + "\n    ".join(runner.server.log[-20:]))
        return False
    except Exception:  # a bug in the runner or a scenario file
        print("FAIL %s: runner error\n%s" % (name, traceback.format_exc()))
        return False
    finally:
        if runner:
            runner.close()
        if args.keep:
            print("  kept %s" % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--data", default=None)
    ap.add_argument("--only", default="", help="run files whose name contains this")
    ap.add_argument("--keep", action="store_true", help="keep the temp DB directories")
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    args.binary = os.path.abspath(args.binary)
    files = args.files or sorted(glob.glob(os.path.join(HERE, "scenarios", "*.json")))
    files = [f for f in files if args.only in os.path.basename(f)]
    passed = failed = skipped = 0
    args.cluster = None
    if args.backend == "postgres":
        try:
            args.cluster = PgCluster()
        except (RuntimeError, OSError, KeyError) as e:
            print("FAIL: no PostgreSQL for --backend postgres: %s" % e)
            return 1
    try:
        for f in files:
            r = run_file(f, args)
            if r is None:
                skipped += 1
            elif r:
                passed += 1
            else:
                failed += 1
    finally:
        if args.cluster:
            args.cluster.stop()
    if skipped:
        print("%d skipped" % skipped)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not files else 0


if __name__ == "__main__":
    sys.exit(main())
