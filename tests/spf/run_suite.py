#!/usr/bin/python3
"""run_suite.py - the RFC 7208 SPF test suite (OpenSPF YAML) against a real
DNS server: each scenario's zone is served by unbound (local-data) on
127.0.0.1:53 inside the network namespace this runs in (run.sh makes it),
and each test is checked with `smtpdx spf` (and, with --peers, pyspf and
libspf2's spfquery, which use the namespace's /etc/resolv.conf).

Rules of the suite (tests/spf/README.md): SPF records are served as TXT
when a name has no TXT entry; "TXT: NONE" means no TXT; TIMEOUT makes every
lookup of the name fail (REFUSED, as a resolver would after a timeout)
except the records listed before it; a test passes when the result is one
of those listed and, when an explanation is given, it is that string, with
"DEFAULT" as the default explanation.

Usage: run_suite.py --smtpdx BIN [--suite FILE] [--peers] [--json OUT]
                    [--only NAME] [--verbose]
Exit: 0 every test passed for smtpdx, 1 some failed, 2 usage, 3 environment.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))


def esc(b):
    """a character-string for unbound's local-data, bytes escaped"""
    out = []
    for c in b:
        if c in (0x22, 0x5c):
            out.append('\\' + chr(c))
        elif 0x20 <= c < 0x7f:
            out.append(chr(c))
        else:
            out.append('\\%03d' % c)
    return '"' + ''.join(out) + '"'


def txt_rdata(v):
    parts = v if isinstance(v, list) else [v]
    strings = []
    for p in parts:
        b = str(p).encode('utf-8')
        if not b and len(parts) == 1:
            strings.append(esc(b))
        while b:
            strings.append(esc(b[:255]))
            b = b[255:]
    return ' '.join(strings)


def fqdn(n):
    """a name in master-file form: bytes other than letters, digits, - and _
    within a label escaped as \\DDD"""
    n = str(n)
    n = n if n.endswith('.') else n + '.'
    out = []
    for c in n.encode('utf-8'):
        ch = chr(c)
        out.append(ch if ch.isascii() and (ch.isalnum() or ch in '-_.*') else '\\%03d' % c)
    return ''.join(out)


def label_ok(name):
    return all(0 < len(l) <= 63 for l in name.rstrip('.').split('.'))


def zone_conf(zonedata, skipped):
    """unbound local-zone/local-data lines for one scenario"""
    lines = ['local-zone: "." static']
    timeouts = [fqdn(n).lower() for n, e in (zonedata or {}).items() if 'TIMEOUT' in e]
    for name, entries in (zonedata or {}).items():
        name = str(name)
        if not label_ok(name):
            skipped.append('%s: a label over 63 bytes cannot be served' % name)
            continue
        n = fqdn(name)
        has_txt = any(isinstance(e, dict) and 'TXT' in e for e in entries)
        recs, timeout = [], False
        for e in entries:
            if e == 'TIMEOUT':
                timeout = True
                break
            if not isinstance(e, dict):
                skipped.append('%s: entry %r not understood' % (name, e))
                continue
            for t, v in e.items():
                if t in ('SPF', 'TXT') and v == []:
                    skipped.append('%s: a %s record of no strings cannot be served' % (name, t))
                    continue
                if t == 'SPF':
                    recs.append('%s SPF %s' % (n, txt_rdata(v)))
                    if not has_txt:
                        recs.append('%s TXT %s' % (n, txt_rdata(v)))
                elif t == 'TXT':
                    if v != 'NONE':
                        recs.append('%s TXT %s' % (n, txt_rdata(v)))
                elif t == 'A':
                    recs.append('%s A %s' % (n, v))
                elif t == 'AAAA':
                    recs.append('%s AAAA %s' % (n, v))
                elif t == 'MX':
                    recs.append('%s MX %d %s' % (n, int(v[0]), fqdn(v[1]) if v[1] else '.'))
                elif t == 'PTR':
                    recs.append('%s PTR %s' % (n, fqdn(v)))
                elif t == 'CNAME':
                    recs.append('%s CNAME %s' % (n, fqdn(v)))
                else:
                    skipped.append('%s: type %s not served' % (name, t))
        if timeout:
            lines.append('local-zone: "%s" refuse' % n)
        elif any(n.lower().endswith('.' + t) for t in timeouts):
            # refuse covers the names below: a listed one is a zone of its own
            lines.append('local-zone: "%s" static' % n)
        elif not recs:
            # a name listed with no records exists (NODATA), not NXDOMAIN
            lines.append('local-zone: "%s" static' % n)
        for r in recs:
            lines.append("local-data: '%s'" % r.replace("'", "\\'"))
    return lines


class Unbound:
    def __init__(self, workdir, lines, port=53):
        self.conf = os.path.join(workdir, 'unbound.conf')
        with open(self.conf, 'w') as f:
            f.write('server:\n')
            for l in ['interface: 127.0.0.1', 'port: %d' % port, 'do-ip6: no', 'do-daemonize: no',
                      'chroot: ""', 'username: ""', 'directory: "%s"' % workdir, 'pidfile: ""',
                      'use-syslog: no', 'logfile: "%s/unbound.log"' % workdir, 'verbosity: 0',
                      'access-control: 127.0.0.0/8 allow', 'module-config: "iterator"',
                      'num-threads: 1', 'so-reuseport: no', 'local-zone: "test." nodefault',
                      'local-zone: "invalid." nodefault'] + lines:
                f.write('  %s\n' % l)
            f.write('remote-control:\n  control-enable: no\n')
        chk = subprocess.run(['unbound-checkconf', self.conf], capture_output=True, text=True)
        if chk.returncode != 0:
            raise RuntimeError('unbound-checkconf: ' + chk.stderr.strip() + chk.stdout.strip())
        self.p = subprocess.Popen(['unbound', '-d', '-c', self.conf], stdout=subprocess.DEVNULL,
                                  stderr=open(os.path.join(workdir, 'unbound.err'), 'w'))
        # ready when it answers a query (a UDP probe: drill would wait 5 s
        # for a server that is not listening yet)
        q = b'\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x05ready\x07invalid\x00\x00\x01\x00\x01'
        for _ in range(200):
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as so:
                so.settimeout(0.05)
                try:
                    so.sendto(q, ('127.0.0.1', port))
                    if so.recv(512)[:2] == b'\x12\x34':
                        return
                except OSError:
                    time.sleep(0.02)
        raise RuntimeError('unbound did not answer on 127.0.0.1:53')

    def stop(self):
        # SIGTERM makes unbound linger 5 s; it holds nothing worth a clean exit
        self.p.kill()
        self.p.wait()


def run_smtpdx(binary, t):
    cmd = [binary, 'spf', '--ip', str(t['host']), '--sender', str(t.get('mailfrom', '')),
           '--helo', str(t.get('helo', '')), '--resolver', '127.0.0.1@53', '--trust-anchor', 'none',
           '--default-explanation', 'DEFAULT', '--json']
    r = subprocess.run(cmd, capture_output=True, timeout=120)
    try:
        j = json.loads(r.stdout.decode('utf-8', 'replace'))
        return j['result'], j.get('explanation') or '', j
    except (ValueError, KeyError):
        return 'crash(%d)' % r.returncode, '', {'stderr': r.stderr.decode('utf-8', 'replace')}


def run_pyspf(t):
    import spf
    q = spf.query(i=str(t['host']), s=str(t.get('mailfrom', '')), h=str(t.get('helo', '')),
                  timeout=5, querytime=0)
    q.set_default_explanation('DEFAULT')
    try:
        res, _code, exp = q.check()
    except Exception as e:      # pyspf's own failures count against it
        return 'crash', str(e)
    return res, exp or ''


def run_spfquery(t):
    cmd = ['spfquery', '-ip', str(t['host']), '-sender', str(t.get('mailfrom', '')) or '',
           '-helo', str(t.get('helo', ''))]
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return 'timeout', ''
    # an error block (StartError .. EndError) may come first; then the result
    lines, inblock = [], False
    for l in r.stdout.decode('utf-8', 'replace').splitlines():
        if l.startswith('StartError'):
            inblock = True
        elif l.startswith('EndError'):
            inblock = False
        elif not inblock:
            lines.append(l.strip().lower())
    return (lines[0] if lines else 'crash'), ''


def judged(t, res, exp, check_exp):
    want = t['result'] if isinstance(t['result'], list) else [t['result']]
    if res not in want:
        return False
    if check_exp and 'explanation' in t and res == 'fail' and exp != t['explanation']:
        return False
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--smtpdx', required=True)
    ap.add_argument('--suite', default=os.path.join(HERE, 'rfc7208-tests.yml'))
    ap.add_argument('--peers', action='store_true')
    ap.add_argument('--json')
    ap.add_argument('--only')
    ap.add_argument('--verbose', action='store_true')
    a = ap.parse_args()
    with open(a.suite, 'rb') as f:
        scenarios = [s for s in yaml.safe_load_all(f) if s]
    tools = ['smtpdx'] + (['pyspf', 'libspf2'] if a.peers else [])
    passed = {k: 0 for k in tools}
    secs = {k: 0.0 for k in tools}
    failures, skipped, total = [], [], 0
    with tempfile.TemporaryDirectory(prefix='smtpdx-spf-') as wd:
        for sc in scenarios:
            tests = {n: t for n, t in (sc.get('tests') or {}).items() if not a.only or n == a.only}
            if not tests:
                continue
            ub = Unbound(wd, zone_conf(sc.get('zonedata'), skipped))
            try:
                for name, t in tests.items():
                    total += 1
                    t0 = time.perf_counter()
                    res, exp, raw = run_smtpdx(a.smtpdx, t)
                    took = time.perf_counter() - t0
                    secs['smtpdx'] += took
                    if took > 1:
                        print('slow: %s took %.1f s' % (name, took))
                    ok = judged(t, res, exp, True)
                    passed['smtpdx'] += ok
                    if not ok:
                        failures.append({'test': name, 'scenario': sc.get('description'),
                                         'want': t['result'], 'want_exp': t.get('explanation'),
                                         'got': res, 'got_exp': exp, 'problem': raw.get('problem'),
                                         'stderr': raw.get('stderr'), 'tree': raw.get('tree')})
                    if a.verbose:
                        print('%-4s %-36s want %-20s got %s %s' % ('ok' if ok else 'FAIL', name, t['result'], res,
                                                                  ('(' + exp + ')') if exp else ''))
                    if a.peers:
                        t0 = time.perf_counter()
                        r2, e2 = run_pyspf(t)
                        secs['pyspf'] += time.perf_counter() - t0
                        passed['pyspf'] += judged(t, r2, e2, True)
                        t0 = time.perf_counter()
                        r3, _ = run_spfquery(t)
                        secs['libspf2'] += time.perf_counter() - t0
                        passed['libspf2'] += judged(t, r3, '', False)
            finally:
                ub.stop()
    for f in failures:
        print('FAIL %(test)s (%(scenario)s): want %(want)s %(want_exp)s, got %(got)s %(got_exp)s; %(problem)s'
              % f)
    if a.verbose:
        for f in failures:
            for st in f.get('tree') or []:
                print('   %s%s: %s' % ('  ' * st['depth'], st['domain'], st['step']))
    for s in skipped:
        print('note: ' + s)
    summary = {'suite': os.path.basename(a.suite), 'tests': total,
               'passed': passed, 'seconds': {k: round(v, 3) for k, v in secs.items()},
               'failures': failures, 'zone_entries_not_served': skipped}
    for k in tools:
        print('%-8s %d/%d passed%s' % (k, passed[k], total,
                                       '' if k == 'smtpdx' else ' (result only)' if k == 'libspf2' else ''))
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(summary, f, indent=1)
    return 0 if passed['smtpdx'] == total and total > 0 else 1


if __name__ == '__main__':
    sys.exit(main())
