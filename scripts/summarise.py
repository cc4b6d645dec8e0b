"""Prints `dashrisk assess` CSV output (standard input) as one readable line per incident."""

import csv
import sys

for r in csv.DictReader(sys.stdin):
    if r["error_code"]:
        print(f"{r['id']:<20} ERROR {r['error_code']} in {r['error_field']}: {r['error_message']}")
        continue
    print(
        f"{r['id']:<20} {r['classification']:<18} p_abuse={r['p_abuse']}  "
        f"risk={r['risk_level']:<8} MARAC={r['marac_referral']:<5} pathways={r['pathways']}"
    )
