#!/usr/bin/python3
"""run_dnsbl.py - smtpdx dnsbl against a real unbound serving blocklist
zones on 127.0.0.1:53 (in the namespace tests/netns_dns.sh makes): a listing
with Spamhaus codes decoded and a TXT reason, Spamhaus's "public resolver"
code that is no listing, a list that answers everything outside
127.0.0.0/8, a list that refuses (an error, never "not listed"), IPv6
nibble form, a domain on a domain list, domains skipped by IP lists.
Usage: run_dnsbl.py --smtpdx BIN     Exit 0 when every check holds."""
import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'spf'))
import run_suite  # noqa: E402

LISTS = ('zen.spamhaus.org,dbl.spamhaus.org:domain,bl.spamcop.net,psbl.surriel.com,all.s5h.net,'
         'b.barracudacentral.org')
ZONE = [
    # 192.0.2.99: XBL and PBL on ZEN, listed on SpamCop with a reason
    "local-data: '99.2.0.192.zen.spamhaus.org. A 127.0.0.4'",
    "local-data: '99.2.0.192.zen.spamhaus.org. A 127.0.0.10'",
    "local-data: '99.2.0.192.bl.spamcop.net. A 127.0.0.2'",
    "local-data: '99.2.0.192.bl.spamcop.net. TXT \"Blocked - see https://www.spamcop.net/bl.shtml?192.0.2.99\"'",
    # 192.0.2.98: Spamhaus refuses the resolver (not a listing)
    "local-data: '98.2.0.192.zen.spamhaus.org. A 127.255.255.254'",
    # 2001:db8::1 on ZEN (SBL), nibble form
    "local-data: '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org. A 127.0.0.2'",
    # example.net: a phishing domain on the DBL
    "local-data: 'example.net.dbl.spamhaus.org. A 127.0.1.4'",
    # a list that has shut down and answers every name with an address
    'local-zone: "all.s5h.net." redirect',
    "local-data: 'all.s5h.net. A 192.0.2.200'",
    # a list that refuses to answer
    'local-zone: "psbl.surriel.com." refuse',
]


def run(binary, args):
    r = subprocess.run([binary, 'dnsbl', '--resolver', '127.0.0.1@53', '--trust-anchor', 'none', '--json',
                        '--timeout', '5'] + args, capture_output=True, timeout=60)
    out = [json.loads(l) for l in r.stdout.decode().splitlines() if l.strip()]
    return r.returncode, out, r.stderr.decode()


def lst(obj, zone):
    for l in obj['lists']:
        if l['zone'] == zone:
            return l
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--smtpdx', required=True)
    a = ap.parse_args()
    bad = []

    def check(what, cond):
        print('%-4s %s' % ('ok' if cond else 'FAIL', what))
        if not cond:
            bad.append(what)

    with tempfile.TemporaryDirectory(prefix='smtpdx-dnsbl-') as wd:
        ub = run_suite.Unbound(wd, ['local-zone: "." static'] + ZONE)
        try:
            rc, out, err = run(a.smtpdx, ['--lists', LISTS, '192.0.2.99', '192.0.2.98', '2001:db8::1',
                                          'example.net', '192.0.2.1'])
            by = {o['target']: o for o in out}
            check('five targets, one JSON object each (exit %d)' % rc, len(out) == 5 and rc == 1)
            z = lst(by['192.0.2.99'], 'zen.spamhaus.org')
            check('192.0.2.99 on ZEN: XBL and PBL decoded',
                  z and z['state'] == 'listed' and {x['code'] for x in z['answers']} == {'127.0.0.4', '127.0.0.10'}
                  and any('XBL' in x['meaning'] for x in z['answers']))
            s = lst(by['192.0.2.99'], 'bl.spamcop.net')
            check('192.0.2.99 on SpamCop with its TXT reason',
                  s and s['state'] == 'listed' and 'spamcop.net/bl' in (s['reason'] or ''))
            check('192.0.2.99 listed on 2 lists', by['192.0.2.99']['listed_on'] == 2)
            z = lst(by['192.0.2.98'], 'zen.spamhaus.org')
            check('127.255.255.254 is no listing: refused-query, "public resolver"',
                  z and z['state'] == 'refused-query' and 'public' in z['answers'][0]['meaning']
                  and by['192.0.2.98']['listed_on'] == 0)
            d = lst(by['192.0.2.1'], 'all.s5h.net')
            check('a list answering outside 127/8 is bogus-answer, not listed',
                  d and d['state'] == 'bogus-answer' and by['192.0.2.1']['listed_on'] == 0)
            p = lst(by['192.0.2.1'], 'psbl.surriel.com')
            check('a refusing server is an error, never "not listed"', p and p['state'] == 'error')
            z = lst(by['2001:db8::1'], 'zen.spamhaus.org')
            check('IPv6 in nibble form', z and z['state'] == 'listed' and z['query'].startswith('1.0.0.0.')
                  and z['query'].endswith('.8.b.d.0.1.0.0.2.zen.spamhaus.org'))
            e = by['example.net']
            check('a domain: DBL phishing, IP lists skipped',
                  lst(e, 'dbl.spamhaus.org')['state'] == 'listed' and lst(e, 'zen.spamhaus.org') is None
                  and 'phishing' in lst(e, 'dbl.spamhaus.org')['answers'][0]['meaning'])
            check('an IP skips the domain list', lst(by['192.0.2.1'], 'dbl.spamhaus.org') is None)
            rc, out, err = run(a.smtpdx, ['--lists', 'zen.spamhaus.org,bl.spamcop.net', '192.0.2.1'])
            check('clean on good lists: exit 0', rc == 0 and out[0]['listed_on'] == 0)
            rc, out, err = run(a.smtpdx, ['--lists', 'zen.spamhaus.org,psbl.surriel.com', '192.0.2.1'])
            check('clean but one list gave no verdict: exit 3', rc == 3)
            r = subprocess.run([a.smtpdx, 'dnsbl', '--resolver', '127.0.0.1@53', '--trust-anchor', 'none',
                                '--lists', LISTS, '192.0.2.99', '--color', 'never'], capture_output=True)
            t = r.stdout.decode()
            check('text: LISTED on 2 of 5 lists, the reason shown',
                  'LISTED on 2 of 5 lists' in t and 'spamcop.net/bl.shtml' in t)
        finally:
            ub.stop()
    print('dnsbl: %d checks failed' % len(bad) if bad else 'dnsbl: all checks passed')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
