#!/usr/bin/python3
"""run_dnsbl.py - smtpdx watch's blocklist watch against a real unbound
serving blocklist zones on 127.0.0.1:53 (in the namespace tests/netns_dns.sh
makes). The daemon checks two sending IPs every second: 192.0.2.99 is
listed on zen.spamhaus.org, 192.0.2.1 is not; then unbound is restarted
with the listing moved to 192.0.2.1 (TTL 1): /metrics must show the new
state, and one listing and one delisting in smtpdx_dnsbl_changes_total,
each logged on stderr. A refusing list counts as no verdict.
Usage: run_dnsbl.py --smtpdx BIN     Exit 0 when every check holds."""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'spf'))
import run_suite  # noqa: E402

LOG = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'examples', 'logs', 'postfix-maillog')


def zone(listed):
    return ['local-zone: "." static',
            "local-data: '%s.zen.spamhaus.org. 1 A 127.0.0.4'" % '.'.join(reversed(listed.split('.'))),
            'local-zone: "psbl.surriel.com." refuse']


def metrics(url):
    with urllib.request.urlopen(url + '/metrics', timeout=5) as r:
        return r.read().decode()


def value(text, name, **labels):
    for line in text.splitlines():
        if not line.startswith(name + '{'):
            continue
        if all('%s="%s"' % (k, v) in line for k, v in labels.items()):
            return float(line.rsplit(' ', 1)[1])
    return None


def wait(url, cond, secs=20):
    end = time.time() + secs
    while time.time() < end:
        try:
            t = metrics(url)
            if cond(t):
                return t
        except OSError:
            pass
        time.sleep(0.2)
    return metrics(url)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--smtpdx', required=True)
    a = ap.parse_args()
    bad = []

    def check(what, cond):
        print('%-4s %s' % ('ok' if cond else 'FAIL', what))
        if not cond:
            bad.append(what)

    with tempfile.TemporaryDirectory(prefix='smtpdx-watch-dnsbl-') as wd:
        ub = run_suite.Unbound(wd, zone('192.0.2.99'))
        url = 'http://127.0.0.1:19733'
        err = open(os.path.join(wd, 'watch.err'), 'w')
        p = subprocess.Popen([a.smtpdx, 'watch', '--state', 'none', '--listen', '127.0.0.1:19733',
                              '--dnsbl', '192.0.2.99,192.0.2.1', '--dnsbl-interval', '1',
                              '--dnsbl-lists', 'zen.spamhaus.org,psbl.surriel.com',
                              '--resolver', '127.0.0.1@53', '--trust-anchor', 'none', LOG],
                             stdout=subprocess.DEVNULL, stderr=err)
        try:
            t = wait(url, lambda t: value(t, 'smtpdx_dnsbl_listed', ip='192.0.2.99', list='zen.spamhaus.org') == 1)
            check('192.0.2.99 listed on zen.spamhaus.org',
                  value(t, 'smtpdx_dnsbl_listed', ip='192.0.2.99', list='zen.spamhaus.org') == 1)
            check('192.0.2.1 not listed', value(t, 'smtpdx_dnsbl_listed', ip='192.0.2.1', list='zen.spamhaus.org') == 0)
            check('a refusing list is no verdict, not "not listed"',
                  value(t, 'smtpdx_dnsbl_listed', ip='192.0.2.1', list='psbl.surriel.com') is None and
                  (value(t, 'smtpdx_dnsbl_no_verdict_total', ip='192.0.2.1', list='psbl.surriel.com') or 0) >= 1)
            ub.stop()
            time.sleep(1.5)                     # the TTL of 1 s runs out
            ub = run_suite.Unbound(wd, zone('192.0.2.1'))
            t = wait(url, lambda t: value(t, 'smtpdx_dnsbl_listed', ip='192.0.2.1', list='zen.spamhaus.org') == 1
                     and value(t, 'smtpdx_dnsbl_listed', ip='192.0.2.99', list='zen.spamhaus.org') == 0)
            check('the listing moved: 192.0.2.1 listed, 192.0.2.99 delisted',
                  value(t, 'smtpdx_dnsbl_listed', ip='192.0.2.1', list='zen.spamhaus.org') == 1 and
                  value(t, 'smtpdx_dnsbl_listed', ip='192.0.2.99', list='zen.spamhaus.org') == 0)
            check('one listing and one delisting counted',
                  value(t, 'smtpdx_dnsbl_changes_total', ip='192.0.2.1', change='listed') == 1 and
                  value(t, 'smtpdx_dnsbl_changes_total', ip='192.0.2.99', change='delisted') == 1)
        finally:
            p.send_signal(signal.SIGTERM)
            rc = p.wait(timeout=20)
            err.close()
            ub.stop()
        log = open(os.path.join(wd, 'watch.err')).read()
        check('exit 0 on SIGTERM (%d)' % rc, rc == 0)
        check('both changes logged', re.search(r'192\.0\.2\.1 is now listed on zen\.spamhaus\.org', log) is not None
              and re.search(r'192\.0\.2\.99 is no longer listed on zen\.spamhaus\.org', log) is not None)
    print('watch dnsbl: %d checks failed' % len(bad) if bad else 'watch dnsbl: all checks passed')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
