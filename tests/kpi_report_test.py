#!/usr/bin/env python3
"""The monthly KPI report through the real binary, on a small demo city (one month
of history): GET /api/v1/reports/monthly?format=xlsx is a valid .xlsx (a zip with
the workbook and sheet XML) whose sheets carry the Chinese headers, and whose numbers
equal /rankings and /kpis; format=csv is UTF-8 with a BOM; `hotline report` writes
the same workbook. Python 3 standard library only (zipfile, xml.etree).

Usage: kpi_report_test.py --binary PATH --data DIR
"""

import argparse
import io
import json
import os
import shutil
import sys
import tempfile
import urllib.request
import xml.etree.ElementTree as ET
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hotline_proc import Server, login, run_cli  # noqa: E402

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def read_workbook(data):
    """{sheet name: [[cell values of row 1], [row 2], ...]} from .xlsx bytes."""
    z = zipfile.ZipFile(io.BytesIO(data))
    assert z.testzip() is None, "corrupt member in the zip"
    shared = []
    if "xl/sharedStrings.xml" in z.namelist():
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
            shared.append("".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])))
    rels = {r.get("Id"): r.get("Target") for r in
            ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
    out = {}
    for sheet in ET.fromstring(z.read("xl/workbook.xml")).find("m:sheets", NS):
        target = rels[sheet.get(REL)]
        xml = ET.fromstring(z.read("xl/" + target.lstrip("/").replace("xl/", "", 1)))
        rows = []
        for row in xml.find("m:sheetData", NS):
            cells = {}
            for c in row:
                ref = "".join(ch for ch in c.get("r") if ch.isalpha())
                col = 0
                for ch in ref:
                    col = col * 26 + ord(ch) - 64
                v = c.find("m:v", NS)
                if v is None:
                    continue
                cells[col - 1] = shared[int(v.text)] if c.get("t") == "s" else float(v.text)
            rows.append([cells.get(i) for i in range(max(cells) + 1 if cells else 0)])
        out[sheet.get("name")] = rows
    return out


# The Jinan demo: 济南市's districts and counties; 历下, 市中 and 历城 carry data.
DISTRICTS = {"370102": "历下区", "370103": "市中区", "370104": "槐荫区", "370105": "天桥区",
             "370112": "历城区", "370113": "长清区", "370114": "章丘区", "370115": "济阳区",
             "370116": "莱芜区", "370117": "钢城区", "370124": "平阴县", "370126": "商河县",
             "370176": "济南高新技术产业开发区"}
DISTRICT_STREETS = {"370102": 13, "370103": 17, "370112": 17}
STREETS = sum(DISTRICT_STREETS.values())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--data", default=None)
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    work = tempfile.mkdtemp(prefix="hotline-kpi-report-")
    db = os.path.join(work, "demo.db")
    data = ["--data", args.data] if args.data else []
    results = []

    def check(name, ok, detail=""):
        results.append(bool(ok))
        print("%s %s%s" % ("ok  " if ok else "FAIL", name, (": " + str(detail)) if not ok else ""))

    server = Server(binary, db, data=args.data)
    try:
        run_cli(binary, "demo", "--db", db, "--no-serve", "--months", "1", "--per-day", "40",
                *data, timeout=900)
        server.start(timeout=120)
        check("the feed is logged at start",
              any("kpi engine:" in line for line in server.log), server.log[-5:])
        admin = login(server, "admin", "demo")
        st, dash, text, _ = server.request("GET", "/dashboard", token=admin)
        check("dashboard", st == 200, text[:300])
        # The previous month is complete in a one-month demo only partly; use this month.
        month = dash["month"]
        st, ranking, text, _ = server.request("GET", "/rankings?month=%s&kind=street" % month,
                                              token=admin)
        check("rankings", st == 200 and len(ranking["rows"]) == STREETS, text[:300])
        nxt = "%04d-%02d-01" % ((int(month[:4]) + 1, 1) if month[5:] == "12" else
                                (int(month[:4]), int(month[5:]) + 1))
        st, kpis, text, _ = server.request(
            "GET", "/kpis?unit=0&from=%s-01&to=%s&group=street" % (month, nxt), token=admin)
        check("kpis by street", st == 200 and len(kpis["rows"]) == STREETS, text[:300])
        st, districts, text, _ = server.request(
            "GET", "/rankings?month=%s&kind=district" % month, token=admin)
        check("district rankings", st == 200 and len(districts["rows"]) == len(DISTRICTS),
              text[:300])

        req = urllib.request.Request(server.url("/reports/monthly?month=%s&format=xlsx" % month),
                                     headers={"Authorization": "Bearer " + admin})
        with urllib.request.urlopen(req, timeout=60) as r:
            xlsx, ctype = r.read(), r.headers.get("Content-Type", "")
            disposition = r.headers.get("Content-Disposition", "")
        check("xlsx content type", "spreadsheetml" in ctype, ctype)
        check("xlsx file name", ("hotline-kpi-%s.xlsx" % month) in disposition, disposition)
        check("xlsx is a zip", xlsx[:2] == b"PK", xlsx[:8])
        book = read_workbook(xlsx)
        # The city's report: its ranking of districts, then a sheet per district (in code order).
        check("sheets", list(book) == ["区县排名", "街道排名", "部门排名",
                                       *[name for _, name in sorted(DISTRICTS.items())],
                                       "单位指标", "热点诉求", "热点"], list(book))
        ranked = book["区县排名"]
        check("district ranking headers", ranked[0][:4] == ["排名", "区县", "编码", "综合得分"],
              ranked[0])
        check("one row per district", sorted((r[2], r[1]) for r in ranked[1:]) ==
              sorted(DISTRICTS.items()), ranked[1:])
        by_district = {row[2]: row for row in ranked[1:]}
        for r in districts["rows"]:
            row = by_district.get(r["unit"]["code"], [None] * 9)
            same = ((row[0] is None if r["rank"] is None else row[0] == r["rank"]) and
                    (row[3] is None if r["score"] is None else abs(row[3] - r["score"]) < 1e-9) and
                    row[8] == r["assigned"])
            check("district %s equals /rankings" % r["unit"]["code"], same, (row, r))
        scores = sorted(r[3] for r in ranked[1:] if r[3] is not None)
        check("the three districts with data are ranked, and differ",
              len(scores) == 3 and len(set(scores)) == 3, scores)
        for code, name in DISTRICTS.items():
            sheet = book[name]
            streets_in = [row for row in sheet[1:] if len(str(row[2])) == 9 and
                          str(row[2]).isdigit()]
            check("%s's sheet holds its own streets only" % name,
                  all(str(row[2]).startswith(code) for row in streets_in) and
                  len(streets_in) == DISTRICT_STREETS.get(code, 0),
                  (len(streets_in), sheet[:3]))
        streets = book["街道排名"]
        check("street ranking headers",
              streets[0][:9] == ["排名", "街道", "编码", "综合得分", "上月排名", "响应率", "解决率",
                                 "满意率", "派单量"], streets[0])
        check("one row per street", len(streets) == STREETS + 1, len(streets))
        by_code = {row[2]: row for row in streets[1:]}
        for r in ranking["rows"]:
            row = by_code.get(r["unit"]["code"])
            if row is None:
                check("street %s in the sheet" % r["unit"]["code"], False)
                continue
            same = (row[1] == r["unit"]["name"] and
                    (row[0] is None if r["rank"] is None else row[0] == r["rank"]) and
                    (row[3] is None if r["score"] is None else abs(row[3] - r["score"]) < 1e-9))
            rr = r["metrics"]["response_rate"]
            same = same and (row[5] is None if rr is None else abs(row[5] - rr) < 1e-9)
            same = same and row[8] == r["assigned"]
            check("street %s equals /rankings" % r["unit"]["code"], same, (row, r))
        units = book["单位指标"]
        check("unit table headers", units[0][:6] == ["单位", "编码", "类型", "受理量", "重复件", "派单量"]
              and "响应率" in units[0] and "综合得分" in units[0], units[0])
        unit_rows = {row[1]: row for row in units[1:] if row and row[2] == "街道"}
        col_rate = units[0].index("满意率")
        for r in kpis["rows"]:
            row = unit_rows.get(r["unit"]["code"])
            sat = r["metrics"]["satisfaction_rate"]["value"]
            ok = (row is not None and row[3] == r["counters"]["received"] and
                  row[5] == r["counters"]["assigned"] and
                  (row[col_rate] is None if sat is None else abs(row[col_rate] - sat) < 1e-9))
            check("unit %s equals /kpis" % r["unit"]["code"], ok, (row, r["counters"]["received"]))
        # 直办率 (issue 17): the area's row of the unit table equals the dashboard's month to date
        # (the demo's last month has nothing after today), and the demo answers some directly.
        col_direct = units[0].index("直办率") if "直办率" in units[0] else None
        dr = dash.get("rates", {}).get("direct_answer_rate")
        check("直办率 in the unit table equals the dashboard's",
              col_direct is not None and dr is not None and dr["den"] > 0 and dr["num"] > 0
              and units[1][col_direct] is not None
              and abs(units[1][col_direct] - dr["value"]) < 1e-9, (units[0], units[1], dr))
        subjects = book["热点诉求"]
        check("subject sheet", subjects[0][:3] == ["排名", "诉求大类编码", "诉求大类"]
              and len(subjects) > 2, subjects[:2])
        total = sum(row[3] for row in subjects[1:])
        all_row = units[1]
        check("subjects add up to the area's intakes", total == all_row[3], (total, all_row[:4]))

        st, hot_api, text, _ = server.request(
            "GET", "/hotspots?from=%s-01&to=%s&limit=10" % (month, nxt), token=admin)
        check("hotspots", st == 200, text[:300])
        hot = book["热点"]
        check("hotspot sheet headers", hot[0][:4] == ["排名", "热点", "诉求件数", "来电人数"], hot[0])
        check("hotspot sheet equals /hotspots",
              [(row[1], row[2], row[3]) for row in hot[1:]] ==
              [(h["title"], h["count"], h["distinct_callers"]) for h in hot_api["items"]],
              (hot[1:3], hot_api["items"][:2]))
        check("the demo month has hotspots", len(hot) > 1, len(hot))

        st, _, csv, headers = server.request(
            "GET", "/reports/monthly?month=%s&format=csv" % month, token=admin)
        check("csv", st == 200 and headers.get("Content-Type", "").startswith("text/csv"), st)
        check("csv starts with a BOM", csv.startswith("\ufeff"), csv[:10])
        check("csv has the Chinese headers",
              "# 街道排名\r\n排名,街道,编码,综合得分" in csv and "# 热点诉求" in csv, csv[:200])
        server.stop()

        out = os.path.join(work, "report.xlsx")
        text = run_cli(binary, "report", "--db", db, "--month", month, "--out", out, *data)
        with open(out, "rb") as f:
            cli_book = read_workbook(f.read())
        check("hotline report writes the same sheets", list(cli_book) == list(book), text)
        check("hotline report: same street ranking", cli_book["街道排名"] == book["街道排名"])
        bad = os.path.join(work, "report.pdf")
        try:
            run_cli(binary, "report", "--db", db, "--month", month, "--out", bad, *data)
            check("hotline report refuses .pdf", False)
        except RuntimeError as e:
            check("hotline report refuses .pdf", "--out" in str(e), str(e)[-300:])
    except Exception as e:  # noqa: BLE001
        check("no exception", False, "%r\n%s" % (e, "\n".join(server.log[-30:])))
    finally:
        server.kill()
        shutil.rmtree(work, ignore_errors=True)
    failed = results.count(False)
    print("%d passed, %d failed" % (results.count(True), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
