#!/usr/bin/env python3
"""Open311 GeoReport v2 as a client sees it (issue 18, docs/open311.md), through the real
binary on a small demo city: every endpoint in XML (parsed with xml.etree, a real XML parser)
and JSON, every required element, the error list with 400/403/404, API keys (created, listed,
revoked, rate-limited), idempotent retries, masking of personal data, the extensions and
FixMyStreet's servicerequestupdates, and one request followed from POST to closed through the
JSON API. Ends with "N passed, M failed"; exits non-zero on any failure.

Usage: open311_test.py --binary PATH [--data DIR] [--backend sqlite|postgres]
"""

import argparse
import csv
import json
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hotline_proc import PgCluster, Server, login, run_cli, store_args  # noqa: E402

V2 = "/open311/v2/"
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords",
                  "group"]
ATTRIBUTE_FIELDS = ["variable", "code", "datatype", "required", "datatype_description", "order",
                    "description"]
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code",
                  "description", "agency_responsible", "service_notice", "requested_datetime",
                  "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
                  "lat", "long", "media_url"]


def inside(pt, ring):
    """Ray casting: is (x, y) inside the ring [[x, y], ...]."""
    x, y = pt
    n, hit = len(ring), False
    for i in range(n):
        (x1, y1), (x2, y2) = ring[i][:2], ring[(i + 1) % n][:2]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def point_in_a_street(server):
    """A WGS-84 point inside the first street outline of /public/boundaries: (lon, lat, code)."""
    st, js, text, _ = server.request("GET", "/public/boundaries")
    assert st == 200, text[:300]
    for f in js["features"]:
        g = f["geometry"]
        rings = [g["coordinates"][0]] if g["type"] == "Polygon" else \
            [p[0] for p in g["coordinates"]]
        for ring in rings:
            xs, ys = [p[0] for p in ring], [p[1] for p in ring]
            for i in range(1, 20):
                for j in range(1, 20):
                    pt = (min(xs) + (max(xs) - min(xs)) * i / 20,
                          min(ys) + (max(ys) - min(ys)) * j / 20)
                    if inside(pt, ring):
                        return pt[0], pt[1], f["properties"]["code"]
    raise AssertionError("the demo has no street outline")


class Client:
    """A bare Open311 client: form-encoded POSTs, raw answers."""

    def __init__(self, server):
        self.server = server

    def call(self, method, path, params=None, form=None, headers=None):
        url = "http://127.0.0.1:%d%s%s" % (self.server.port, V2, path)
        if params:
            url += "?" + urllib.parse.urlencode(params, doseq=True)
        data = None
        hdrs = dict(headers or {})
        if form is not None:
            data = urllib.parse.urlencode(form, doseq=True).encode("utf-8")
            hdrs["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, r.headers.get("Content-Type", ""), r.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type", ""), e.read().decode("utf-8")

    def xml(self, method, path, **kw):
        st, ctype, text = self.call(method, path + ".xml", **kw)
        try:
            root = ET.fromstring(text.encode("utf-8"))
        except ET.ParseError as e:
            raise AssertionError("not XML (%s): %s" % (e, text[:300]))
        return st, ctype, root, text

    def json(self, method, path, **kw):
        st, ctype, text = self.call(method, path + ".json", **kw)
        return st, ctype, json.loads(text), text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--data", default=None)
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    work = tempfile.mkdtemp(prefix="hotline-open311-")
    db = os.path.join(work, "demo.db")
    cluster = None
    if args.backend == "postgres":
        cluster = PgCluster()  # raises with what to install when PostgreSQL is missing
        db = cluster.new_database()
    results = []

    def check(name, ok, detail=""):
        results.append(bool(ok))
        print("%s %s%s" % ("ok  " if ok else "FAIL", name, (": " + str(detail)[:600]) if not ok
                           else ""))
        return ok

    def is_error(name, st, root_or_json, status, field=None):
        """The specification's error list with this HTTP status (and our field, if given)."""
        if isinstance(root_or_json, ET.Element):
            errs = root_or_json.findall("error") if root_or_json.tag == "errors" else []
            ok = st == status and errs and all(
                e.findtext("code") == str(status) and e.findtext("description") for e in errs)
            if field:
                ok = ok and errs[0].findtext("field") == field
            return check(name, ok, "%d %s" % (st, ET.tostring(root_or_json, "unicode")[:300]))
        js = root_or_json
        ok = st == status and isinstance(js, list) and js and all(
            e.get("code") == status and e.get("description") for e in js)
        if field:
            ok = ok and js[0].get("field") == field
        return check(name, ok, "%d %s" % (st, js))

    data = ["--data", args.data] if args.data else []
    server = Server(binary, db, data=args.data)
    try:
        run_cli(binary, "demo", *store_args(db), "--no-serve", "--months", "1", "--per-day", "5",
                *data)
        server.start()
        c = Client(server)
        admin = login(server, "admin", "demo")

        # -- 0. discovery --
        st, ctype, root, _ = c.xml("GET", "discovery")
        check("discovery.xml is text/xml", st == 200 and ctype.startswith("text/xml"), ctype)
        check("discovery has changeset, contact, key_service",
              root.tag == "discovery" and all(root.findtext(k) for k in
                                              ("changeset", "contact", "key_service")),
              ET.tostring(root, "unicode")[:300])
        eps = root.findall("endpoints/endpoint")
        check("discovery lists an endpoint with every element",
              len(eps) == 1 and all(eps[0].findtext(k) for k in
                                    ("specification", "url", "changeset", "type")) and
              eps[0].findtext("type") in ("production", "test") and
              eps[0].findtext("url").endswith("/open311/v2") and
              sorted(f.text for f in eps[0].findall("formats/format")) ==
              ["application/json", "text/xml"], ET.tostring(root, "unicode")[:500])
        st, ctype, js, _ = c.json("GET", "discovery")
        check("discovery.json mirrors it", st == 200 and ctype.startswith("application/json") and
              js["endpoints"][0]["formats"] == ["text/xml", "application/json"] and
              js["changeset"] == root.findtext("changeset"), js)

        # -- 1. services --
        st, _, root, _ = c.xml("GET", "services")
        services = root.findall("service")
        check("services.xml lists services", st == 200 and root.tag == "services" and
              len(services) > 10, len(services))
        check("every service has the seven elements",
              all(s.find(k) is not None for s in services for k in SERVICE_FIELDS) and
              all(s.findtext("metadata") in ("true", "false") and
                  s.findtext("type") in ("realtime", "batch", "blackbox") for s in services))
        codes = [s.findtext("service_code") for s in services]
        st, _, js, _ = c.json("GET", "services")
        check("services.json is a bare array with the same codes",
              st == 200 and isinstance(js, list) and [s["service_code"] for s in js] == codes and
              all(k in s for s in js for k in SERVICE_FIELDS))
        road = next((s for s in js if s["service_code"] == "010101"), None)
        check("a service comes from the taxonomy (010101 道路破损坑洼, group 城乡建设)",
              road and road["service_name"] == "道路破损坑洼" and road["group"] == "城乡建设" and
              "市政道路设施" in road["keywords"], road)
        # The demo is rooted at the city of Jinan: its code is the jurisdiction.
        check("services honour jurisdiction_id", c.call("GET", "services.xml",
                                                         {"jurisdiction_id": "370100"})[0] == 200)
        st, _, root, _ = c.xml("GET", "services", params={"jurisdiction_id": "sfgov.org"})
        is_error("an unknown jurisdiction_id is 404", st, root, 404, "jurisdiction_id")

        # -- 2. service definition --
        st, _, root, _ = c.xml("GET", "services/010101")
        attrs = root.findall("attributes/attribute")
        check("services/010101.xml defines attributes",
              st == 200 and root.tag == "service_definition" and
              root.findtext("service_code") == "010101" and len(attrs) >= 3, root.tag)
        check("every attribute has its elements",
              all(a.find(k) is not None for a in attrs for k in ATTRIBUTE_FIELDS) and
              all(a.findtext("datatype") in ("string", "number", "datetime", "text",
                                             "singlevaluelist", "multivaluelist")
                  for a in attrs))
        nature = next(a for a in attrs if a.findtext("code") == "nature")
        check("list attributes carry values with key and name",
              [v.findtext("key") for v in nature.findall("values/value")][:2] ==
              ["consultation", "help"] and nature.find("values/value/name").text)
        orders = [int(a.findtext("order")) for a in attrs]
        check("attribute order is positive and unique", min(orders) > 0 and
              len(set(orders)) == len(orders), orders)
        st, _, js, _ = c.json("GET", "services/010101")
        check("services/010101.json mirrors it", st == 200 and js["service_code"] == "010101" and
              [a["code"] for a in js["attributes"]] == [a.findtext("code") for a in attrs])
        st, _, root, _ = c.xml("GET", "services/999999")
        is_error("an unknown service_code is 404 (xml)", st, root, 404, "service_code")
        st, _, js, _ = c.json("GET", "services/999999")
        is_error("an unknown service_code is 404 (json)", st, js, 404, "service_code")
        st, _, root, _ = c.xml("GET", "services/01")
        is_error("a taxonomy group is no service", st, root, 404)
        st, _, _ = c.call("GET", "services.html")
        check("an unknown suffix is 404", st == 404, st)

        # -- keys (admin) --
        st, js, text, _ = server.request("POST", "/api/v1/open311/clients", token=admin,
                                         body={"name": "城市服务App", "channel_label": "city_app",
                                               "rate_per_minute": 100})
        check("an admin creates a key", st == 201 and len(js.get("api_key", "")) >= 32, text)
        key = js["api_key"]
        st, js, text, _ = server.request("POST", "/api/v1/open311/clients", token=admin,
                                         body={"name": "", "channel_label": "x"})
        check("a key needs a name", st == 400 and js["error"]["field"] == "name", text)
        st, js, text, _ = server.request("POST", "/api/v1/open311/clients", token=admin,
                                         body={"name": "b", "channel_label": "x",
                                               "rate_per_minute": 0})
        check("and a rate limit of at least 1", st == 400 and
              js["error"]["field"] == "rate_per_minute", text)
        st, js, text, _ = server.request("GET", "/api/v1/open311/clients", token=admin)
        check("keys are listed without the key or its digest",
              st == 200 and js["items"][0]["name"] == "城市服务App" and
              key not in text and "digest" not in text and
              js["items"][0]["key_prefix"] == key[:6], text)
        agent = login(server, "agent", "demo")
        st, _, text, _ = server.request("GET", "/api/v1/open311/clients", token=agent)
        check("an agent may not list keys", st == 403, text)

        def count_open311():
            st, js, text, _ = server.request("GET", "/orders?channel=open311&page_size=1",
                                             token=admin)
            assert st == 200, text
            return js["total"]

        # -- 3. POST errors --
        before = count_open311()
        lon, lat, street_code = point_in_a_street(server)
        good = {"service_code": "010101", "lat": "%.6f" % lat, "long": "%.6f" % lon,
                "description": "路面有个大坑，电话13812345678", "first_name": "三",
                "last_name": "张", "phone": "13812345678"}
        st, _, root, _ = c.xml("POST", "requests", form=good)
        is_error("POST without api_key is 403 (xml)", st, root, 403, "api_key")
        st, _, js, _ = c.json("POST", "requests", form=dict(good, api_key="wrong"))
        is_error("POST with a wrong api_key is 403 (json)", st, js, 403, "api_key")
        bad = [
            ("no service_code is 400", {k: v for k, v in good.items() if k != "service_code"},
             400, "service_code"),
            ("an unknown service_code is 404", dict(good, service_code="999999"), 404,
             "service_code"),
            ("no location is 400", {k: v for k, v in good.items() if k not in ("lat", "long")},
             400, "lat"),
            ("lat without long is 400", {k: v for k, v in good.items() if k != "long"}, 400,
             "long"),
            ("a lat out of range is 400", dict(good, lat="95"), 400, "lat"),
            ("an unknown address_id is 400", dict(good, address_id="nope"), 400, "address_id"),
            ("an unknown attribute is 400", dict(good, **{"attribute[colour]": "red"}), 400,
             "attribute[colour]"),
            ("a value not in the list is 400", dict(good, **{"attribute[nature]": "anger"}), 400,
             "attribute[nature]"),
            ("a list for a single-value attribute is 400",
             dict(good, **{"attribute[nature][]": ["help", "complaint"]}), 400,
             "attribute[nature]"),
            ("a value not in a multivaluelist is 400",
             dict(good, **{"attribute[contact_times][]": ["morning", "midnight"]}), 400,
             "attribute[contact_times]"),
            ("a description over 4000 characters is 400", dict(good, description="坑" * 4001),
             400, "description"),
            ("a bad phone is 400", dict(good, phone="call me"), 400, "phone"),
            ("an unknown jurisdiction_id is 404", dict(good, jurisdiction_id="sfgov.org"), 404,
             "jurisdiction_id"),
        ]
        for name, form, status, field in bad:
            st, _, root, _ = c.xml("POST", "requests", form=dict(form, api_key=key))
            is_error(name, st, root, status, field)
        check("and none of them recorded anything", count_open311() == before,
              count_open311() - before)

        # -- 3. POST --
        st, ctype, root, text = c.xml("POST", "requests", form=dict(
            good, api_key=key, account_id="acc-1",
            **{"attribute[nature]": "complaint",
               "attribute[contact_times][]": ["morning", "evening"]}))
        reqs = root.findall("request")
        check("POST requests.xml records the request",
              st == 201 and root.tag == "service_requests" and len(reqs) == 1 and
              reqs[0].findtext("service_request_id") and reqs[0].find("token") is None and
              reqs[0].findtext("service_notice") and reqs[0].findtext("account_id") == "acc-1",
              text)
        rid = reqs[0].findtext("service_request_id")
        st, js, text, _ = server.request("GET", "/orders?channel=open311&q=%s" % rid,
                                         token=admin)
        order = js["items"][0] if st == 200 and js["items"] else {}
        check("it is an intake with channel open311 and the service as subject",
              order.get("no") == rid and (order.get("subject") or {}).get("code") == "010101" and
              order.get("nature") == "complaint", text)
        st, full, text, _ = server.request("GET", "/orders/%d" % order["id"], token=admin)
        check("a multivaluelist (attribute[contact_times][]) reaches the handler in the content",
              "方便联系时段：上午、晚上" in full.get("content", ""), full.get("content"))
        check("placed by the engine from lat/long (the street around the point)",
              st == 200 and (full["place"].get("street") or {}).get("code") == street_code,
              full.get("place"))
        st, ev, text, _ = server.request("GET", "/orders/%d/events" % order["id"], token=admin)
        intake_ev = [e for e in ev["items"] if e["action"] == "intake"] if st == 200 else []
        check("the intake event names the client's channel label",
              intake_ev and "city_app" in json.dumps(intake_ev, ensure_ascii=False), text[:400])

        # Address only, JSON.
        gaz = os.path.join(args.data or os.path.join(os.path.dirname(__file__), "..", "data"),
                           "demo", "gazetteer.csv")
        with open(gaz, encoding="utf-8") as f:
            entry = next(r for r in csv.DictReader(f) if r.get("kind") == "compound")
        st, _, js, text = c.json("POST", "requests", form={
            "api_key": key, "service_code": "010103", "address_string": entry["name"],
            "description": "路灯不亮"})
        check("POST requests.json with an address_string", st == 201 and isinstance(js, list) and
              js[0]["service_request_id"], text)
        rid2 = js[0]["service_request_id"]
        st, js, text, _ = server.request("GET", "/orders?channel=open311&q=%s" % rid2,
                                         token=admin)
        check("the gazetteer placed it", st == 200 and js["items"] and
              js["items"][0]["place"].get("street") is not None, text[:400])

        # Idempotent retries.
        form3 = {"api_key": key, "service_code": "010102", "lat": good["lat"],
                 "long": good["long"],
                 "description": "井盖丢了"}
        s1, _, j1, _ = c.json("POST", "requests", form=form3, headers={"Idempotency-Key": "r-1"})
        s2, _, j2, _ = c.json("POST", "requests", form=form3, headers={"Idempotency-Key": "r-1"})
        check("an Idempotency-Key retry returns the same request",
              s1 == 201 and s2 == 200 and
              j1[0]["service_request_id"] == j2[0]["service_request_id"], (s1, s2, j1, j2))
        st, js, text, _ = server.request("POST", "/api/v1/open311/clients", token=admin,
                                         body={"name": "省级平台", "channel_label": "province"})
        s3, _, j3, _ = c.json("POST", "requests", form=dict(form3, api_key=js["api_key"]),
                              headers={"Idempotency-Key": "r-1"})
        check("another client's same Idempotency-Key is another request",
              s3 == 201 and j3[0]["service_request_id"] != j1[0]["service_request_id"], (s3, j3))
        form4 = dict(form3, device_id="dev-9", description="井盖又丢了")
        s1, _, j1, _ = c.json("POST", "requests", form=form4)
        s2, _, j2, _ = c.json("POST", "requests", form=form4)
        s3, _, j3, _ = c.json("POST", "requests", form=dict(form4, description="另一个井盖"))
        check("a device's identical retry returns the same request",
              s1 == 201 and s2 == 200 and
              j1[0]["service_request_id"] == j2[0]["service_request_id"], (s1, s2))
        check("a different request from the device is new",
              s3 == 201 and j3[0]["service_request_id"] != j1[0]["service_request_id"], (s3, j3))

        # -- 4. tokens --
        st, _, root, _ = c.xml("GET", "tokens/" + rid)
        check("tokens/{token}.xml answers with the request id",
              st == 200 and root.findtext("request/service_request_id") == rid and
              root.findtext("request/token") == rid, ET.tostring(root, "unicode"))
        st, _, js, _ = c.json("GET", "tokens/nope")
        is_error("an unknown token is 404", st, js, 404, "token")

        # -- 6. one request --
        st, _, root, text = c.xml("GET", "requests/" + rid)
        req = root.find("request")
        check("requests/{id}.xml is a list of one with every element",
              st == 200 and root.tag == "service_requests" and len(root) == 1 and
              all(req.find(k) is not None for k in REQUEST_FIELDS), text)
        check("status open, service and dates with the city's offset",
              req.findtext("status") == "open" and req.findtext("service_code") == "010101" and
              req.findtext("requested_datetime").endswith("+08:00") and
              req.findtext("updated_datetime").endswith("+08:00"), text)
        check("no personal data: neither the caller's name nor the phone",
              "13812345678" not in text and "张三" not in text and "****5678" not in text, text)
        check("the description is the masked text",
              "路面有个大坑" in req.findtext("description"), req.findtext("description"))
        st, _, js, jtext = c.json("GET", "requests/" + rid)
        check("requests/{id}.json mirrors it", st == 200 and len(js) == 1 and
              js[0]["service_request_id"] == rid and "13812345678" not in jtext and
              all(k in js[0] for k in REQUEST_FIELDS), jtext)
        st, _, root, _ = c.xml("GET", "requests/0000000000000")
        is_error("an unknown request is 404", st, root, 404, "service_request_id")

        st, _, js, _ = c.json("POST", "requests", form=dict(
            good, api_key=key, description="举报楼下小饭店油烟扰民，我是302的住户",
            **{"attribute[confidential]": "true"}))
        st, _, js, text = c.json("GET", "requests/" + js[0]["service_request_id"],
                                 params={"extensions": "true"})
        r = js[0] if st == 200 else {}
        check("a confidential appeal shows no text, no point and nothing below the street",
              r.get("description") == "" and r.get("lat") is None and r.get("long") is None and
              r["extended_attributes"]["grid"] == "" and "302" not in text and
              r["extended_attributes"]["street"] == street_code and
              r.get("address_id") == street_code, text)

        # -- 5. many requests --
        st, _, root, text = c.xml("GET", "requests")
        ids = [r.findtext("service_request_id") for r in root.findall("request")]
        check("requests.xml lists the last 90 days, ours among them",
              st == 200 and rid in ids and rid2 in ids and len(ids) <= 1000, len(ids))
        st, _, js, _ = c.json("GET", "requests", params={"service_code": "010101"})
        check("service_code filters", st == 200 and js and
              all(r["service_code"] == "010101" for r in js) and
              rid in [r["service_request_id"] for r in js])
        st, _, js, _ = c.json("GET", "requests", params={"service_code": "010101,010103"})
        got = {r["service_code"] for r in js}
        check("several service codes", st == 200 and got <= {"010101", "010103"} and
              {rid, rid2} <= {r["service_request_id"] for r in js}, got)
        st, _, js, _ = c.json("GET", "requests", params={"status": "closed"})
        check("status=closed leaves open ones out", st == 200 and
              all(r["status"] == "closed" for r in js) and
              rid not in [r["service_request_id"] for r in js])
        st, _, js, _ = c.json("GET", "requests",
                              params={"service_request_id": rid + "," + rid2,
                                      "status": "closed"})
        check("service_request_id overrides other filters", st == 200 and
              [r["service_request_id"] for r in js] == [rid, rid2], js)
        st, _, js, _ = c.json("GET", "requests", params={"start_date": "2020-01-01T00:00:00Z",
                                                         "end_date": "2020-02-01T00:00:00Z"})
        check("start_date/end_date bound requested_datetime", st == 200 and js == [], js)
        st, _, js, _ = c.json("GET", "requests", params={"start_date": "2020-01-01T00:00:00Z",
                                                         "end_date": "2020-06-01T00:00:00Z"})
        is_error("a span over 90 days is 400", st, js, 400, "end_date")
        st, _, js, _ = c.json("GET", "requests", params={"start_date": "yesterday"})
        is_error("a date that is not ISO 8601 is 400", st, js, 400, "start_date")
        st, _, js, _ = c.json("GET", "requests", params={"status": "pending"})
        is_error("an unknown status is 400", st, js, 400, "status")
        st, _, js, _ = c.json("GET", "requests", params={"sevice_code": "010101"})
        is_error("a misspelt parameter is 400, not everything", st, js, 400, "sevice_code")

        # -- extensions: paging, change window, extended answer --
        st, _, p1, _ = c.json("GET", "requests", params={"page_size": "3"})
        st2, _, p2, _ = c.json("GET", "requests", params={"page_size": "3", "page": "2"})
        check("page/page_size pages", st == 200 and st2 == 200 and len(p1) == 3 and
              len(p2) == 3 and not ({r["service_request_id"] for r in p1} &
                                    {r["service_request_id"] for r in p2}), (p1, p2))
        st, _, js, _ = c.json("GET", "requests", params={"page_size": "1001"})
        is_error("page_size over 1000 is 400", st, js, 400, "page_size")
        st, _, js, _ = c.json("GET", "requests", params={"updated_after": "2099-01-01T00:00:00Z"})
        check("updated_after leaves older updates out", st == 200 and js == [], js)
        st, _, js, _ = c.json("GET", "requests",
                              params={"updated_after": "2020-01-01T00:00:00+08:00",
                                      "service_code": "010101"})
        check("updated_after keeps newer updates", st == 200 and
              rid in [r["service_request_id"] for r in js])
        st, _, root, text = c.xml("GET", "requests/" + rid, params={"extensions": "true"})
        req = root.find("request")
        ea = req.find("extended_attributes") if req is not None else None
        check("extensions=true adds extended_attributes (channel, street, grid, duplicate_of)",
              ea is not None and ea.findtext("channel") == "open311" and
              ea.findtext("source") == "city_app" and ea.findtext("street") and
              ea.find("grid") is not None and ea.find("duplicate_of") is not None, text)
        notes = req.findall("notes/note") if req is not None else []
        check("and notes, the public timeline", notes and
              notes[0].findtext("type") == "submitted" and
              notes[0].findtext("datetime").endswith("+08:00"), text)

        # -- one request from POST to closed (the JSON API moves it) --
        oid = order["id"]
        st, full, text, _ = server.request("GET", "/orders/%d" % oid, token=admin)
        if full.get("state") != "received":
            check("the new request waits at received (no auto-dispatch in this store)", False,
                  full.get("state"))
        st, _, text, _ = server.request(
            "POST", "/orders/%d/actions/answer" % oid, token=admin,
            body={"reply": {"contacted_at": full["created_at"], "contact_method": "phone",
                            "actions_taken": "已通知养护单位", "public_text": "已安排修补路面"}})
        check("the agent answers it", st == 200, text)
        st, _, text, _ = server.request("POST", "/orders/%d/actions/close" % oid, token=admin,
                                        body={})
        check("and closes it", st == 200, text)
        st, _, root, text = c.xml("GET", "requests/" + rid, params={"extensions": "true"})
        req = root.find("request")
        check("Open311 shows it closed with the public reply as status_notes",
              req.findtext("status") == "closed" and
              req.findtext("status_notes") == "已安排修补路面", text)
        check("and a closed note", [n.findtext("type") for n in req.findall("notes/note")][-1] ==
              "closed", text)
        st, _, js, _ = c.json("GET", "requests", params={"status": "closed",
                                                         "service_code": "010101"})
        check("status=closed finds it now", rid in [r["service_request_id"] for r in js])
        st, _, root, text = c.xml("GET", "servicerequestupdates")
        ups = [u for u in root.findall("request_update")
               if u.findtext("service_request_id") == rid]
        check("servicerequestupdates.xml has its updates, the last one closed",
              st == 200 and root.tag == "service_requests_updates" and len(ups) >= 2 and
              ups[-1].findtext("status") == "closed" and ups[-1].findtext("update_id") and
              ups[-1].findtext("updated_datetime").endswith("+08:00") and
              any(u.findtext("description") == "已安排修补路面" for u in ups), text[:800])
        st, _, js, _ = c.json("GET", "servicerequestupdates",
                              params={"start_date": "2020-01-01T00:00:00Z",
                                      "end_date": "2020-01-02T00:00:00Z"})
        check("servicerequestupdates.json honours the window", st == 200 and js == [], js)

        # -- keys: rate limit and revocation --
        st, js, text, _ = server.request("POST", "/api/v1/open311/clients", token=admin,
                                         body={"name": "慢客户端", "channel_label": "slow",
                                               "rate_per_minute": 1})
        slow = js["api_key"]
        form5 = {"api_key": slow, "service_code": "010101", "lat": good["lat"],
                 "long": good["long"],
                 "description": "限速测试"}
        s1 = c.call("POST", "requests.json", form=form5)[0]
        st, _, js, _ = c.json("POST", "requests", form=dict(form5, description="第二次"))
        check("a client over its rate limit is refused", s1 == 201 and st == 429 and
              js[0]["field"] == "api_key", (s1, st, js))
        st, js, text, _ = server.request("GET", "/api/v1/open311/clients", token=admin)
        first_id = [k["id"] for k in js["items"] if k["name"] == "城市服务App"][0]
        st, js, text, _ = server.request("DELETE", "/api/v1/open311/clients/%d" % first_id,
                                         token=admin)
        check("an admin revokes a key", st == 200 and js["revoked_at"], text)
        st, _, root, _ = c.xml("POST", "requests", form=dict(good, api_key=key))
        is_error("a revoked key is 403", st, root, 403, "api_key")
        st, js, text, _ = server.request("DELETE", "/api/v1/open311/clients/999", token=admin)
        check("revoking an unknown key is 404", st == 404 and js["error"]["field"] == "id", text)
        st, js, text, _ = server.request("GET", "/audit?action=open311_key_revoke", token=admin)
        check("key changes are audited", st == 200 and js["total"] == 1, text[:300])
    finally:
        server.stop()
        if cluster:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    failed = results.count(False)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
