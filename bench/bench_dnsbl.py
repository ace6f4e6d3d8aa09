#!/usr/bin/python3
"""bench_dnsbl.py - one IP against 20 lists, each answer 50 ms late:
smtpdx dnsbl asks them all at once, so the total should be close to one
round trip, not twenty. unbound serves the 20 zones on 127.0.0.1:5300; a
proxy here on 127.0.0.1:53 holds every answer 50 ms before passing it on
(each on its own timer, so parallel questions are not serialised by it).
Run by bench_dnsbl.sh inside a network namespace.
Usage: bench_dnsbl.py --smtpdx BIN [--runs N] [--delay MS] [--json OUT]"""
import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'spf'))
import run_suite  # noqa: E402

ZONES = ['bl%02d.example.test' % i for i in range(20)]


class Delay(asyncio.DatagramProtocol):
    def __init__(self, delay):
        self.delay = delay

    def connection_made(self, transport):
        self.t = transport

    def datagram_received(self, data, addr):
        if os.environ.get('DNSBL_DEBUG'):
            name, i = [], 12
            while i < len(data) and data[i]:
                name.append(data[i + 1:i + 1 + data[i]].decode('ascii', 'replace'))
                i += 1 + data[i]
            qtype = int.from_bytes(data[i + 1:i + 3], 'big') if i + 3 <= len(data) else 0
            print('%.3f query %s type %d' % (time.perf_counter() % 1000, '.'.join(name), qtype))
        asyncio.ensure_future(self.forward(data, addr))

    async def forward(self, data, addr):
        loop = asyncio.get_running_loop()
        fut = loop.create_future()

        class Up(asyncio.DatagramProtocol):
            def datagram_received(self, d, a):
                if not fut.done():
                    fut.set_result(d)
        tr, _ = await loop.create_datagram_endpoint(Up, remote_addr=('127.0.0.1', 5300))
        tr.sendto(data)
        try:
            answer = await asyncio.wait_for(fut, 5)
            await asyncio.sleep(self.delay)
            self.t.sendto(answer, addr)
        except asyncio.TimeoutError:
            pass
        finally:
            tr.close()


def proxy(delay, ready):
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(loop.create_datagram_endpoint(lambda: Delay(delay), local_addr=('127.0.0.1', 53)))
    ready.set()
    loop.run_forever()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--smtpdx', required=True)
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--delay', type=int, default=50)
    ap.add_argument('--json')
    ap.add_argument('--peers', action='store_true')
    a = ap.parse_args()
    lines = ['local-zone: "." static']
    for i, z in enumerate(ZONES):
        if i % 4 == 0:      # every fourth list lists the address
            lines.append("local-data: '99.2.0.192.%s. A 127.0.0.2'" % z)
    with tempfile.TemporaryDirectory(prefix='smtpdx-dnsblbench-') as wd:
        ub = run_suite.Unbound(wd, lines, port=5300)
        ready = threading.Event()
        threading.Thread(target=proxy, args=(a.delay / 1000.0, ready), daemon=True).start()
        ready.wait()
        times, one = [], []
        try:
            for _ in range(a.runs):
                # the cost of one list alone: one round trip and the process
                t0 = time.perf_counter()
                subprocess.run([a.smtpdx, 'dnsbl', '--resolver', '127.0.0.1@53', '--trust-anchor', 'none',
                                '--lists', ZONES[1], '192.0.2.99'], stdout=subprocess.DEVNULL)
                one.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                r = subprocess.run([a.smtpdx, 'dnsbl', '--resolver', '127.0.0.1@53', '--trust-anchor', 'none',
                                    '--lists', ','.join(ZONES), '--json', '192.0.2.99'], capture_output=True)
                times.append(time.perf_counter() - t0)
                listed = json.loads(r.stdout)['listed_on']
                if listed != 5:
                    print('wrong answer: listed on %d of 20, want 5' % listed)
                    return 1
        finally:
            ub.stop()
    m, m1 = statistics.median(times), statistics.median(one)
    rtt = a.delay / 1000.0
    print('20 lists, %d ms per answer, %d runs:' % (a.delay, a.runs))
    print('  all 20 at once: median %.3f s (%s)' % (m, ', '.join('%.3f' % t for t in times)))
    print('  one list alone: median %.3f s (%s)' % (m1, ', '.join('%.3f' % t for t in one)))
    print('  20 in sequence would take >= %.3f s; ratio to one round trip: %.2fx (20 would be 20x)'
          % (20 * rtt, m / rtt))
    print('  the 20-list check costs %.2fx the one-list check' % (m / m1))
    if a.json:
        with open(a.json, 'w') as f:
            json.dump({'delay_ms': a.delay, 'runs': a.runs, 'all20': times, 'one': one, 'median_all20': m,
                       'median_one': m1, 'ratio_to_rtt': m / rtt}, f, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
