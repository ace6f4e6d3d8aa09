#!/usr/bin/python3
"""bench_spf.py - SPF evaluations per second over the RFC 7208 suite:
smtpdx (`smtpdx spf --batch`, one process and one resolver per scenario),
pyspf (python3-spf, in this process) and libspf2 (`spfquery -file`, one
process per scenario), each against the same unbound serving the
scenario's zone (tests/spf/run_suite.py's server). Only the evaluations
are timed, not the server's start. Run by bench_spf.sh inside a network
namespace.

Usage: bench_spf.py --smtpdx BIN [--runs N] [--repeat K] [--json OUT]
With --repeat K each process checks its scenario's tests K times over, so
the start of a process (about 20 ms of dynamic linking and resolver set-up
for smtpdx and spfquery) is spread over K times as many checks, and every
tool's own cache (libunbound's, libspf2's, pyspf's per query) is warm.
Prints per run the seconds of each tool, then medians and ratios."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'spf'))
import run_suite  # noqa: E402
import yaml  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--smtpdx', required=True)
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--json')
    ap.add_argument('--repeat', type=int, default=1,
                    help='each scenario\'s tests K times per process (throughput, caches warm)')
    ap.add_argument('--peers', action='store_true')  # always on; accepted for run.sh
    a = ap.parse_args()
    import spf
    with open(os.path.join(run_suite.HERE, 'rfc7208-tests.yml'), 'rb') as f:
        scenarios = [s for s in yaml.safe_load_all(f) if s]
    times = {'smtpdx': [], 'pyspf': [], 'libspf2': []}
    n = 0
    with tempfile.TemporaryDirectory(prefix='smtpdx-spfbench-') as wd:
        for run in range(a.runs):
            tot = {k: 0.0 for k in times}
            n = 0
            for sc in scenarios:
                tests = list((sc.get('tests') or {}).values()) * a.repeat
                lines = ['%s %s %s' % (t['host'], t.get('mailfrom') or '<>', t.get('helo') or 'unknown')
                         for t in tests]
                n += len(tests)
                batch = os.path.join(wd, 'batch.txt')
                with open(batch, 'w') as f:
                    f.write('\n'.join(lines) + '\n')
                sq = os.path.join(wd, 'spfquery.txt')
                with open(sq, 'w') as f:
                    for t in tests:
                        f.write('%s %s %s\n' % (t['host'], t.get('mailfrom') or '', t.get('helo') or 'unknown'))
                ub = run_suite.Unbound(wd, run_suite.zone_conf(sc.get('zonedata'), []))
                try:
                    t0 = time.perf_counter()
                    subprocess.run([a.smtpdx, 'spf', '--batch', batch, '--resolver', '127.0.0.1@53',
                                    '--trust-anchor', 'none'], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
                    took = time.perf_counter() - t0
                    tot['smtpdx'] += took
                    if os.environ.get('SPF_BENCH_DEBUG'):
                        print('  %-40s smtpdx %.3f s for %d' % (sc.get('description', '')[:40], took, len(tests)))
                    t0 = time.perf_counter()
                    for t in tests:
                        try:
                            spf.query(i=str(t['host']), s=str(t.get('mailfrom') or ''),
                                      h=str(t.get('helo') or 'unknown'), timeout=5).check()
                        except Exception:
                            pass
                    tot['pyspf'] += time.perf_counter() - t0
                    t0 = time.perf_counter()
                    subprocess.run(['spfquery', '-file', sq], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, timeout=600)
                    tot['libspf2'] += time.perf_counter() - t0
                finally:
                    ub.stop()
            for k in times:
                times[k].append(tot[k])
            print('run %d: %s' % (run + 1, ', '.join('%s %.3f s' % (k, tot[k]) for k in times)))
    med = {k: statistics.median(v) for k, v in times.items()}
    rate = {k: n / med[k] for k in med}
    print('%d evaluations per run (suite x%d), %d runs; median seconds and evaluations/s:' % (n, a.repeat, a.runs))
    for k in times:
        print('  %-8s %.3f s  %8.0f/s  (%s)' % (k, med[k], rate[k],
                                             ', '.join('%.3f' % x for x in times[k])))
    print('ratios: smtpdx/pyspf %.1fx, smtpdx/libspf2 %.1fx' % (rate['smtpdx'] / rate['pyspf'],
                                                              rate['smtpdx'] / rate['libspf2']))
    if a.json:
        with open(a.json, 'w') as f:
            json.dump({'evaluations': n, 'repeat': a.repeat, 'runs': a.runs, 'seconds': times, 'median': med, 'rate': rate}, f,
                      indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
