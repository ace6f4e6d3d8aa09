// isemail.js - the peer of bench_address: the isemail npm package (hapijs,
// version 3.2.0) on the same tables, in the same run. It answers the same
// question as bench_address ("usable as an SMTP envelope address?": its
// diagnosis below 16, is_email's boolean threshold) and is timed the same way.
// Usage: node isemail.js CORPUS_DIR [SECONDS]
'use strict';
const fs = require('fs');
const path = require('path');
const Isemail = require('isemail');

const dir = process.argv[2] || '../../../shared/corpus/address';
const seconds = Number(process.argv[3] || 1);

// address_c is the body of a C string literal (see the corpus README)
function unc(s) {
    let out = '';
    for (let i = 0; i < s.length; i++) {
        if (s[i] !== '\\') { out += s[i]; continue; }
        const c = s[++i];
        if (c === 'n') out += '\n';
        else if (c === 't') out += '\t';
        else if (c === 'r') out += '\r';
        else if (c === '\\') out += '\\';
        else if (c === '"') out += '"';
        else if (c === 'x') {
            let h = '';
            while (h.length < 2 && /[0-9a-fA-F]/.test(s[i + 1] || '')) h += s[++i];
            out += String.fromCharCode(parseInt(h, 16));
            if (s[i + 1] === '"' && s[i + 2] === '"') i += 2;   // the "" after \xNN
        } else out += c;
    }
    return out;
}

// the same 655 rows bench_address times: both PHP tables (live-DNS rows too:
// no DNS is queried here), the Node port's table, and its two NUL rows
const rows = [];
for (const t of ['isemail/tests.tsv', 'isemail/tests-original.tsv', 'skeggse-isemail/tests.tsv']) {
    const lines = fs.readFileSync(path.join(dir, t), 'utf8').split('\n').slice(1);
    for (const l of lines) {
        const f = l.split('\t');
        if (f.length < 3) continue;
        rows.push(unc(f[1]));
    }
}
rows.push('test@[\0', '(\0)test@example.com');
const results = rows.map((a) => Isemail.validate(a, { errorLevel: true }));
const usable = results.filter((r) => r < 16).length;
console.log(`isemail 3.2.0 (node ${process.version}): ${rows.length} rows, ${usable} usable`);
let count = 0;
const t0 = process.hrtime.bigint();
let t1 = t0;
while (Number(t1 - t0) / 1e9 < seconds) {
    for (const a of rows) Isemail.validate(a, { errorLevel: true });
    count += rows.length;
    t1 = process.hrtime.bigint();
}
const secs = Number(t1 - t0) / 1e9;
console.log(`isemail throughput: ${count} addresses in ${secs.toFixed(2)} s = ${Math.round(count / secs)} addresses/s (one core)`);
