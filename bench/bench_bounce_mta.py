#!/usr/bin/python3
"""bench_bounce_mta.py - smtpdx bounce against the DSNs real MTAs wrote
In:  SMTPDX (the command) and SHARED (../shared); reads
     SHARED/mta-samples/scenarios.tsv and every */bounces/*.eml it names.
Out: per bounce file whether smtpdx found a recipient whose status and
     reply code are the scenario's observed ones (observed_enhanced_code,
     observed_reply_code), and whose outcome fits the file (--failure-:
     bounced or expired, --delay-: deferred, --success-: delivered);
     the disagreements; the totals. Exit 0 always (a measurement).
Usage: bench/bench_bounce_mta.py SMTPDX SHARED"""
import csv, json, os, subprocess, sys

smtpdx, shared = sys.argv[1], sys.argv[2]
base = os.path.join(shared, "mta-samples")
rows = list(csv.DictReader(open(os.path.join(base, "scenarios.tsv")), delimiter="\t"))
want_outcome = {"failure": ("bounced", "expired"), "delay": ("deferred",), "success": ("delivered",)}
n = ok_status = ok_code = ok_outcome = ok_all = 0
misses = []
for row in rows:
    for rel in row["bounces_and_notices"].split():
        if "/bounces/" not in rel:
            continue
        path = os.path.join(base, rel)
        kind = rel.rsplit("--", 1)[1].split("-")[0]
        out = subprocess.run([smtpdx, "bounce", "--ndjson", "-q", path], capture_output=True, text=True).stdout
        recs = [json.loads(l) for l in out.splitlines() if l.strip()]
        st, code = row["observed_enhanced_code"], row["observed_reply_code"]
        # several codes in the scenario (mixed recipients): any listed pair
        pairs = {(st, code)} if st else set()
        for item in row["observed_sequence"].split():
            item = item.split(":", 1)[-1]
            if "/" in item:
                c, s = item.split("/", 1)
                if s not in ("", "-"):
                    pairs.add((s, "" if c == "-" else c))
        n += 1
        s_ok = any(r.get("status") in {p[0] for p in pairs} for r in recs)
        if not pairs:
            # no remote reply in the scenario: the DSN's own generic status
            # (x.0.0, or 4.4.7 for a queue that ran out), and no reply code
            # unless the scenario names one
            s_ok = bool(recs)
            c_ok = all(not r.get("reply_code") or str(r.get("reply_code")) == code for r in recs)
        if kind == "success":
            s_ok = any((r.get("status") or "").startswith("2.") for r in recs)
        if pairs:
            c_ok = kind == "success" or any(str(r.get("reply_code") or "") in {p[1] for p in pairs} for r in recs)
        o_ok = any(r.get("outcome") in want_outcome.get(kind, ()) for r in recs)
        ok_status += s_ok; ok_code += c_ok; ok_outcome += o_ok; ok_all += s_ok and c_ok and o_ok
        if not (s_ok and c_ok and o_ok):
            got = ["%s/%s/%s/%s" % (r.get("outcome"), r.get("status"), r.get("reply_code"), r.get("reason")) for r in recs]
            misses.append("%s want %s/%s (%s) got %s" % (rel, st, code or "-", kind, " ".join(got) or "nothing"))
for m in misses:
    print("MISS", m)
print("bounce files %d: status %d, reply code %d, outcome %d, all three %d (%.1f %%)" %
      (n, ok_status, ok_code, ok_outcome, ok_all, 100.0 * ok_all / max(n, 1)))
