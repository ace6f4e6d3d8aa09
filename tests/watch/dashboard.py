#!/usr/bin/python3
"""dashboard.py - examples/grafana/smtpdx-watch.json is valid JSON, and
every metric its queries use is one smtpdx watch exports (the names in the
/metrics text of `smtpdx watch --once`), so the dashboard cannot drift from
the daemon. Usage: dashboard.py SMTPDX   Exit 0 when it holds."""
import json
import os
import re
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, '..', '..')
dash = json.load(open(os.path.join(root, 'examples', 'grafana', 'smtpdx-watch.json')))
out = subprocess.run([sys.argv[1], 'watch', '--once', '--from-start', '--state', 'none',
                      os.path.join(root, 'examples', 'logs', 'postfix-maillog')],
                     capture_output=True, text=True, check=True).stdout
declared = set(re.findall(r'^# TYPE (\S+) ', out, re.M))
names = set(declared)
for n in declared:                      # histogram parts
    names |= {n + '_bucket', n + '_sum', n + '_count'}
bad = []
for p in dash['panels']:
    for t in p.get('targets', []):
        for m in re.findall(r'\b(smtpdx_[a-z_]+)', t['expr']):
            if m not in names:
                bad.append('%s: %s' % (p['title'], m))
print('dashboard: %d panels, %d queries' % (len(dash['panels']), sum(len(p.get('targets', [])) for p in dash['panels'])))
for b in bad:
    print('FAIL unknown metric in panel', b)
sys.exit(1 if bad else 0)
