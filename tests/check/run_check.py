#!/usr/bin/python3
"""run_check.py - smtpdx check against test zones with planted faults,
served by a real unbound on 127.0.0.1:53 and MTA-STS policies served over
HTTPS on 127.0.0.1:443 with a CA made here (in the namespace
tests/netns_dns.sh makes). good.test has none: no finding may warn or fail. Each broken
domain carries the faults named in CASES; each must be found, at its level,
with the refusal it causes. DKIM keys are made here with openssl.
Usage: run_check.py --smtpdx BIN     Exit 0 when every check holds."""
import argparse
import base64
import json
import os
import http.server
import ssl
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'spf'))
HERE_INT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'integration')
import run_suite  # noqa: E402


def dkim_key(bits):
    pem = subprocess.run(['openssl', 'genrsa', str(bits)], capture_output=True, check=True).stdout
    der = subprocess.run(['openssl', 'rsa', '-pubout', '-outform', 'DER'], input=pem, capture_output=True,
                         check=True).stdout
    return base64.b64encode(der).decode()


def zone():
    k2048, k1024, k512 = dkim_key(2048), dkim_key(1024), dkim_key(512)
    z = {
        # the good domain
        'good.test': [{'MX': [10, 'mx.good.test']}, {'TXT': 'v=spf1 ip4:192.0.2.25 -all'}],
        'mx.good.test': [{'A': '192.0.2.10'}],
        '10.2.0.192.in-addr.arpa': [{'PTR': 'mx.good.test'}],
        '25.2.0.192.in-addr.arpa': [{'PTR': 'out.good.test'}],
        'out.good.test': [{'A': '192.0.2.25'}],
        's1._domainkey.good.test': [{'TXT': 'v=DKIM1; k=rsa; p=' + k2048}],
        '_dmarc.good.test': [{'TXT': 'v=DMARC1; p=reject; rua=mailto:dmarc@good.test'}],
        '_smtp._tls.good.test': [{'TXT': 'v=TLSRPTv1; rua=mailto:tls@good.test'}],
        '_mta-sts.good.test': [{'TXT': 'v=STSv1; id=20261206'}],
        'mta-sts.good.test': [{'A': '127.0.0.1'}],
        # MTA-STS faults: an MX the policy does not name; a policy that is not there
        'stsbad.test': [{'MX': [10, 'mx.good.test']}],
        '_mta-sts.stsbad.test': [{'TXT': 'v=STSv1; id=1'}],
        'mta-sts.stsbad.test': [{'A': '127.0.0.1'}],
        'sts404.test': [{'MX': [10, 'mx.good.test']}],
        '_mta-sts.sts404.test': [{'TXT': 'v=STSv1; id=1'}],
        'mta-sts.sts404.test': [{'A': '127.0.0.1'}],
        # MX faults
        'nomx.test': [{'TXT': 'something else'}],
        'nullmx.test': [{'MX': [0, '']}],
        'ipmx.test': [{'MX': [10, '192.0.2.1']}],
        'cnamemx.test': [{'MX': [10, 'alias.cnamemx.test']}],
        'alias.cnamemx.test': [{'CNAME': 'mx.good.test'}],
        'noaddr.test': [{'MX': [10, 'host.noaddr.test']}],
        'host.noaddr.test': [{'TXT': 'no address here'}],
        'private.test': [{'MX': [10, 'mx.private.test']}],
        'mx.private.test': [{'A': '10.0.0.5'}],
        # an MX nothing listens on (loopback: no packet leaves the namespace)
        'unreach.test': [{'MX': [10, 'mx.unreach.test']}],
        'mx.unreach.test': [{'A': '127.0.0.9'}],
        # authentication faults
        'broken.test': [{'MX': [10, 'mx.good.test']}, {'TXT': 'v=spf1 ip4:192.0.2.300 -all'}],
        's1._domainkey.broken.test': [{'TXT': 'v=DKIM1; k=rsa; p=' + k512}],
        '_dmarc.broken.test': [{'TXT': 'v=DMARC1; p=bogus'}],
        '67.2.0.192.in-addr.arpa': [{'PTR': 'liar.broken.test'}],
        'liar.broken.test': [{'A': '192.0.2.99'}],
        'weak.test': [{'MX': [10, 'mx.good.test']}, {'TXT': 'v=spf1 a +all'}],
        'k1._domainkey.weak.test': [{'TXT': 'v=DKIM1; t=y; p=' + k1024}],
        'old._domainkey.weak.test': [{'TXT': 'v=DKIM1; p='}],
        '_dmarc.weak.test': [{'TXT': 'v=DMARC1; p=none; pct=50; rua=mailto:reports@elsewhere.test'}],
        'twospf.test': [{'MX': [10, 'mx.good.test']}, {'TXT': 'v=spf1 -all'}, {'TXT': 'v=spf1 mx -all'}],
        'nodmarc.test': [{'MX': [10, 'mx.good.test']}],
        # two DMARC records below good.test: receivers go up to good.test's
        'twodmarc.good.test': [{'MX': [10, 'mx.good.test']}],
        '_dmarc.twodmarc.good.test': [{'TXT': 'v=DMARC1; p=none'}, {'TXT': 'v=DMARC1; p=quarantine'}],
        # RFC 9989's tree walk finds _dmarc.c.walk.test; the public suffix list looks at walk.test only
        'a.b.c.walk.test': [{'MX': [10, 'mx.good.test']}],
        '_dmarc.c.walk.test': [{'TXT': 'v=DMARC1; p=reject'}],
        # 192.0.2.66 on Spamhaus ZEN (SBL)
        '66.2.0.192.zen.spamhaus.org': [{'A': '127.0.0.2'}],
    }
    return z


# domain, extra args, expected findings: (level, area, text in "what")
CASES = [
    ('nomx.test', [], [('fail', 'mx', 'no MX record and no address'), ('fail', 'spf', 'no SPF record'),
                       ('fail', 'dmarc', 'no DMARC record')]),
    ('nullmx.test', [], [('warn', 'mx', 'null MX')]),
    ('ipmx.test', [], [('fail', 'mx', 'names an IP address')]),
    ('cnamemx.test', [], [('warn', 'mx', 'alias (CNAME)')]),
    ('noaddr.test', [], [('fail', 'mx', 'has no address')]),
    ('private.test', [], [('warn', 'mx', 'is private')]),
    ('unreach.test', ['--connect'], [('fail', 'mx', 'does not accept connections on port 25'),
                                     ('warn', 'mx', 'is loopback')]),
    ('broken.test', ['--ip', '192.0.2.66,192.0.2.67', '--selector', 's1'],
     [('fail', 'spf', 'syntax error'), ('fail', 'dkim', '512 bits'), ('fail', 'dmarc', 'p=bogus'),
      ('fail', 'ptr', 'has no PTR record'), ('fail', 'ptr', 'not forward-confirmed'),
      ('fail', 'dnsbl', 'Spamhaus ZEN')]),
    ('weak.test', ['--selector', 'k1,old'],
     [('warn', 'spf', '+all'), ('warn', 'dkim', 'under 2048 bits'), ('warn', 'dkim', 't=y'),
      ('warn', 'dkim', 'revoked'), ('warn', 'dmarc', 'p=none'), ('warn', 'dmarc', 'pct'),
      ('warn', 'dmarc', 'not authorized')]),
    ('twospf.test', [], [('fail', 'spf', '2 SPF records')]),
    ('twodmarc.good.test', [], [('warn', 'dmarc', '2 DMARC records: receivers ignore them'),
                                ('pass', 'dmarc', 'policy p=reject')]),
    ('a.b.c.walk.test', [], [('warn', 'dmarc', 'tree walk) apply the record at _dmarc.c.walk.test'),
                             ('fail', 'dmarc', 'no DMARC record')]),
    ('stsbad.test', [], [('fail', 'mta-sts', 'matches no mx: line'), ('warn', 'mta-sts', 'max_age under a day')]),
    ('sts404.test', [], [('fail', 'mta-sts', 'HTTP status 404')]),
    ('good.test', ['--ip', '192.0.2.77', '--selector', 's1'], [('fail', 'spf', 'SPF fail: 192.0.2.77')]),
]


POLICIES = {
    'mta-sts.good.test': 'version: STSv1\r\nmode: enforce\r\nmx: *.good.test\r\nmax_age: 604800\r\n',
    'mta-sts.stsbad.test': 'version: STSv1\nmode: enforce\nmx: mail.other.test\nmax_age: 3600\n',
}
CA = {}


def https_server(wd):
    """an HTTPS server on 127.0.0.1:443 with a CA made here, serving the
    MTA-STS policies of POLICIES by Host (404 for others)"""
    ca_key, ca, key, csr, crt = (os.path.join(wd, n) for n in ('ca.key', 'ca.pem', 'srv.key', 'srv.csr', 'srv.pem'))
    ext = os.path.join(wd, 'ext.cnf')
    with open(ext, 'w') as f:
        f.write('subjectAltName=DNS:mta-sts.good.test,DNS:mta-sts.stsbad.test,DNS:mta-sts.sts404.test\n')
    q = {'capture_output': True, 'check': True}
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', ca_key, '-out', ca,
                    '-days', '2', '-subj', '/CN=smtpdx test CA'], **q)
    subprocess.run(['openssl', 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj',
                    '/CN=mta-sts.good.test'], **q)
    subprocess.run(['openssl', 'x509', '-req', '-in', csr, '-CA', ca, '-CAkey', ca_key, '-CAcreateserial',
                    '-out', crt, '-days', '2', '-extfile', ext], **q)
    CA['file'] = ca
    CA['cert'] = crt

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = POLICIES.get(self.headers.get('Host', '').split(':')[0])
            if body is None or self.path != '/.well-known/mta-sts.txt':
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header('Content-Type', 'text/plain')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 443), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(crt, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def run(binary, domain, args):
    r = subprocess.run([binary, 'check', domain, '--resolver', '127.0.0.1@53', '--trust-anchor', 'none',
                        '--ca-file', CA['file'], '--json'] + args, capture_output=True, timeout=120)
    try:
        return r.returncode, json.loads(r.stdout)
    except ValueError:
        return r.returncode, {'findings': [], 'error': r.stderr.decode('utf-8', 'replace')}


def dane_checks(binary, wd, check):
    """DANE per MX and DNSSEC status per answer: dnssec_zone.sh's signed
    dane.test, served by NSD on 127.0.0.1:5353 in this namespace and
    validated by smtpdx with that zone's trust anchor"""
    zs = os.path.join(HERE_INT, 'dnssec_zone.sh')
    r = subprocess.run(['bash', zs, 'start', os.environ['SMTPDX_NETNS'], wd, CA['cert'], '5353'],
                       capture_output=True, text=True)
    if r.returncode != 0:
        check('dnssec_zone.sh start', False, r.stdout[-400:] + r.stderr[-400:])
        return
    try:
        def dane(domain):
            r = subprocess.run([binary, 'check', domain, '--resolver', '127.0.0.1@5353', '--trust-anchor',
                                os.path.join(wd, 'dnssec', 'trust-anchor.txt'), '--no-dnsbl', '--json'],
                               capture_output=True, timeout=120)
            return json.loads(r.stdout or b'{}').get('findings', [])
        f = dane('good.dane.test')
        check('good.dane.test: MX answer DNSSEC secure, TLSA usable (dane pass)',
              any(x['area'] == 'mx' and x['dnssec'] == 'secure' for x in f) and
              any(x['area'] == 'dane' and x['level'] == 'pass' and 'usable TLSA' in x['what'] for x in f),
              json.dumps([x for x in f if x['area'] in ('mx', 'dane')])[:600])
        check('good.dane.test: records carry their DNSSEC status (DMARC answer secure)',
              any(x['area'] == 'dmarc' and x['dnssec'] == 'secure' for x in f),
              json.dumps([x for x in f if x['area'] == 'dmarc'])[:400])
        f = dane('bogus.dane.test')
        check('bogus.dane.test: dane fail (bogus TLSA) with the refusal',
              any(x['area'] == 'dane' and x['level'] == 'fail' and 'validation failed' in x['what'] and x['refusal']
                  for x in f), json.dumps([x for x in f if x['area'] == 'dane'])[:600])
        f = dane('plain.dane.test')
        check('plain.dane.test: validated, no TLSA: DANE does not apply (info)',
              any(x['area'] == 'dane' and x['level'] == 'info' and 'no TLSA' in x['what'] for x in f),
              json.dumps([x for x in f if x['area'] == 'dane'])[:600])
    finally:
        subprocess.run(['bash', zs, 'stop', wd], capture_output=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--smtpdx', required=True)
    a = ap.parse_args()
    bad = []

    def check(what, cond, detail=''):
        print('%-4s %s%s' % ('ok' if cond else 'FAIL', what, '' if cond else ': ' + detail))
        if not cond:
            bad.append(what)

    with tempfile.TemporaryDirectory(prefix='smtpdx-check-') as wd:
        skipped = []
        ub = run_suite.Unbound(wd, run_suite.zone_conf(zone(), skipped))
        https = https_server(wd)
        try:
            rc, j = run(a.smtpdx, 'good.test', ['--ip', '192.0.2.25', '--selector', 's1'])
            probs = [f for f in j['findings'] if f['level'] in ('warn', 'fail')]
            check('good.test: no warning, no failure (exit %d)' % rc, rc == 0 and not probs,
                  json.dumps(probs)[:600])
            check('good.test: SPF pass, DKIM 2048, DMARC reject, FCrDNS, not listed, MTA-STS enforce',
                  all(any(f['area'] == ar and t in f['what'] for f in j['findings']) for ar, t in
                      [('spf', 'SPF pass'), ('dkim', '2048 bits'), ('dmarc', 'p=reject'),
                       ('ptr', 'forward-confirmed'), ('dnsbl', 'none of'), ('mta-sts', 'mode enforce')]),
                  json.dumps(j['findings'])[:800])
            for domain, args, want in CASES:
                rc, j = run(a.smtpdx, domain, args)
                for level, area, text in want:
                    hit = [f for f in j['findings'] if f['level'] == level and f['area'] == area and text in f['what']]
                    ok = bool(hit) and (level != 'fail' or all(f['refusal'] for f in hit))
                    check('%s: %s %s "%s"%s' % (domain, level, area, text, ' with its refusal' if level == 'fail'
                                                 else ''), ok,
                          json.dumps([f for f in j['findings'] if f['area'] == area])[:700] or j.get('error', ''))
                check('%s: exit 1' % domain, rc == 1, str(rc))
            # selectors from OpenDKIM's signing lines of a (gzip-compressed) mail log
            log = os.path.join(wd, 'mail.log')
            with open(log, 'w') as f:
                f.write('Dec  6 10:00:01 mx opendkim[812]: 4QX1Zk2: DKIM-Signature field added (s=k1, d=weak.test)\n'
                        'Dec  6 10:00:02 mx opendkim[812]: 4QX1Zk3: DKIM-Signature field added (s=other, d=x.test)\n'
                        'Dec  6 10:00:03 mx opendkim[812]: 4QX1Zk4: DKIM-Signature field added (s=k1, d=weak.test)\n')
            subprocess.run(['gzip', '-f', log], check=True)
            r = subprocess.run([a.smtpdx, 'check', 'weak.test', '--resolver', '127.0.0.1@53', '--trust-anchor', 'none',
                                '--no-common-selectors', '--no-dnsbl', '--log', log + '.gz', '--json'],
                               capture_output=True, text=True)
            j = json.loads(r.stdout or '{}')
            dk = [f for f in j.get('findings', []) if f['area'] == 'dkim']
            check('--log: selector k1 of weak.test taken from OpenDKIM lines (gzip), once, "other" not',
                  any('selector k1: rsa key of 1024 bits' in f['what'] for f in dk) and
                  sum('selector k1: rsa key' in f['what'] for f in dk) == 1 and
                  not any('other' in f['subject'] for f in dk) and '1 selector of weak.test' in r.stderr,
                  r.stderr + json.dumps(dk)[:400])
            dane_checks(a.smtpdx, wd, check)
            r = subprocess.run([a.smtpdx, 'check', 'broken.test', '--resolver', '127.0.0.1@53', '--trust-anchor',
                                'none', '--nagios', '--ip', '192.0.2.66', '--ca-file', CA['file']],
                               capture_output=True, text=True)
            check('--nagios: CRITICAL, exit 2, perfdata', r.returncode == 2 and
                  r.stdout.startswith('SMTPDX CHECK CRITICAL - broken.test:') and '| fail=' in r.stdout, r.stdout)
            r = subprocess.run([a.smtpdx, 'check', 'good.test', '--resolver', '127.0.0.1@53', '--trust-anchor',
                                'none', '--nagios', '--ip', '192.0.2.25', '--selector', 's1', '--ca-file', CA['file']],
                               capture_output=True, text=True)
            check('--nagios: OK, exit 0 for good.test', r.returncode == 0 and r.stdout.startswith('SMTPDX CHECK OK'),
                  r.stdout)
        finally:
            https.shutdown()
            ub.stop()
    print('check: %d checks failed' % len(bad) if bad else 'check: all checks passed')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
