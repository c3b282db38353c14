// The tables of bench/server.sh, in Markdown, from its raw results.
//
//   node bench/server-report.js RESULTS FLOORS META QUICK [CHARTS_DIR]
//
// RESULTS: one line per recorded run, key=value pairs (round, server, workload, wrk's and the
// process sampler's figures). FLOORS: one line per round (binding, pipeline, c: CPU ms per
// image). META: date, versions, output bytes per workload. Exits 3 when a target is missed,
// unless QUICK is 1. With CHARTS_DIR, SVG charts are written there: req/s and p99 per workload,
// peak RSS per process, good-put against offered load (W1 at c16, OV at c256).
'use strict';
const fs = require('node:fs');

const [resultsFile, floorsFile, metaFile, quickArg, chartsDir] = process.argv.slice(2);
const quick = quickArg === '1';
const kv = (line) =>
  Object.fromEntries(
    line
      .trim()
      .split(/\s+/)
      .filter((t) => t.includes('='))
      .map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]));
const lines = (f) => fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.trim());

const all = lines(resultsFile).map(kv);
// W7 lines are herds (bench/load.js herd), not timed runs: their own table below.
const herds = all.filter((v) => v.workload === 'W7');
const runs = all.filter((v) => v.workload !== 'W7').map((v) => {
  const num = (k) => Number(v[k]);
  const ok = num('requests') - num('status');
  return {
    round: num('round'),
    server: v.server,
    workload: v.workload,
    rps: ok / (num('duration_us') / 1e6),
    p50: num('p50_us') / 1e3,
    p99: num('p99_us') / 1e3,
    cpu: ok > 0 ? num('cpu_ms') / ok : NaN,
    rootCpu: ok > 0 ? num('root_cpu_ms') / ok : NaN,
    rss: num('peak_rss_kb') / 1024,
    pss: num('peak_pss_kb') / 1024,
    parts: v.peak_parts,
    errors: num('status') + num('timeout') + num('connect') + num('read') + num('write'),
    load: num('load'),
    // W6 (bench/load.js mix): the small and the large requests apart.
    smallP50: num('small_p50_us') / 1e3,
    smallP99: num('small_p99_us') / 1e3,
    largeP99: num('large_p99_us') / 1e3,
    // OV: 503s a second, those without Retry-After, and the /health poller.
    refusedRps: num('refused') / (num('duration_us') / 1e6),
    noRetryAfter: num('no_retry_after'),
    healthP99: num('poll_p99_us') / 1e3,
    healthPolls: num('polls'),
  };
});
const floors = lines(floorsFile).map((l) => {
  const v = kv(l);
  return { round: Number(v.round), binding: Number(v.binding), pipeline: Number(v.pipeline), c: Number(v.c) };
});
const meta = {};
const bytes = {};
for (const l of lines(metaFile)) {
  if (l.startsWith('bytes ')) {
    const [, w, imgd, peer] = l.split(' ');
    bytes[w] = { imgd: Number(imgd), peer: Number(peer) };
  } else {
    const i = l.indexOf('=');
    meta[l.slice(0, i)] = l.slice(i + 1);
  }
}

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const spread = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x));
  return { min: Math.min(...s), med: median(s), max: Math.max(...s), n: s.length };
};
const f = (x, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : 'n/a');
const r3 = (s, d = 2) => (s.n ? `${f(s.min, d)} - **${f(s.med, d)}** - ${f(s.max, d)}` : 'n/a');

const order = ['W1', 'W2', 'W3', 'W4', 'W5', 'W6', 'OV'];
const workloads = order.filter((w) => runs.some((r) => r.workload === w));
const describe = {
  W1: 'W1 JPEG 2725x2225 to 720 JPEG q80, c16',
  W2: 'W2 RGBA PNG 2048x1536 to 720 WebP q80, c4',
  W3: 'W3 JPEG 6000x4000 to 720 JPEG q80, c16',
  W4: 'W4 = W1, imgd result cache warm, c16',
  W5: 'W5 JPEG 2725x2225 to 720 AVIF q80, c2',
  W6: 'W6 mixed: 90% W1, 10% JPEG 6000x4000 to 2000 JPEG q80, c32',
  OV: 'OV = W1 at c256, clients retry 503s at once (req/s: 2xx only)',
};
const imgdName = (w) => (w === 'W4' ? 'imgd-cache' : 'imgd');
const of = (w, s) => runs.filter((r) => r.workload === w && r.server === s);
const rounds = [...new Set(runs.map((r) => r.round))].sort((a, b) => a - b);
const perRound = (w, s, r) => runs.find((x) => x.workload === w && x.server === s && x.round === r);
const ratio = (w, key, den = 'peer', denW = w) =>
  spread(
    rounds.map((r) => {
      const a = perRound(w, imgdName(w), r);
      const b = perRound(denW, den === 'peer' ? 'peer' : imgdName(denW), r);
      return a && b ? a[key] / b[key] : NaN;
    }));

const out = [];
const p = (s = '') => out.push(s);
const rd = kv(`rounds=${meta.rounds}`);
p(`### Run of ${meta.date}: imgd ${meta.mode}, ${rd.rounds} round(s) of ${rd.duration} s after ${rd.warm} s of warm-up per server and workload`);
p();
p(
  `imgd ${meta.imgd} (Java ${meta.java}, libvips ${meta.libvips}); peer: ${meta.peer}, node ${meta.node};` +
    ` wrk ${meta.wrk} -t2 on loopback; ${meta.cpus} cores.` +
    ` Load average: ${median(runs.map((r) => r.load)).toFixed(1)} (median over the runs), ${meta.load_end} at the end.`);
p();
p('Medians over the rounds. CPU and RSS are the server\'s whole process tree (imgd: the server JVM and its worker processes).');
p();
p('| workload | server | req/s | p50 ms | p99 ms | CPU ms/req | peak RSS MiB | peak PSS MiB | output bytes | errors |');
p('|---|---|---|---|---|---|---|---|---|---|');
for (const w of workloads) {
  for (const s of [imgdName(w), 'peer']) {
    const rs = of(w, s);
    if (!rs.length) continue;
    const b = bytes[w] ? (s === 'peer' ? bytes[w].peer : bytes[w].imgd) : NaN;
    p(
      `| ${describe[w]} | ${s === 'peer' ? 'sharp' : s === 'imgd-cache' ? 'imgd (cache warm)' : 'imgd'} | ` +
        `${f(median(rs.map((r) => r.rps)), 1)} | ${f(median(rs.map((r) => r.p50)))} | ${f(median(rs.map((r) => r.p99)))} | ` +
        `${f(median(rs.map((r) => r.cpu)), 1)} | ${f(median(rs.map((r) => r.rss)))} | ${f(median(rs.map((r) => r.pss)))} | ${f(b)} | ${rs.reduce((a, r) => a + r.errors, 0)} |`);
  }
}
p();
p('imgd/sharp ratios per round, min - **median** - max (req/s above 1 and the others below 1 favour imgd).');
p('Equal output: same kernel (lanczos3), same quality (80), same libvips build and encoder options, output sizes within 5%.');
p();
p('| workload | req/s | p99 | CPU ms/req | peak RSS | peak PSS | output bytes | equal output |');
p('|---|---|---|---|---|---|---|---|');
for (const w of workloads) {
  const br = bytes[w] ? bytes[w].imgd / bytes[w].peer : NaN;
  const equal =
    w === 'W5'
      ? `no: AVIF chroma differs (sizes ${f(br, 3)}x)`
      : Math.abs(br - 1) <= 0.05
        ? 'yes'
        : `no: sizes differ by ${f(Math.abs(br - 1) * 100, 1)}%`;
  p(
    `| ${w} | ${r3(ratio(w, 'rps'))} | ${r3(ratio(w, 'p99'))} | ${r3(ratio(w, 'cpu'))} | ${r3(ratio(w, 'rss'))} | ${r3(ratio(w, 'pss'))} | ${f(br, 3)} | ${equal} |`);
}
p();

// The floor and the targets.
const targets = [];
const target = (name, s, goal, cmp) => {
  const ok = Number.isFinite(s.med) && (cmp === '>=' ? s.med >= goal : s.med <= goal);
  const by = cmp === '>=' ? (s.med / goal - 1) * 100 : (s.med / goal - 1) * 100;
  targets.push({ name, s, goal, cmp, ok, by });
};
if (floors.length && workloads.includes('W1')) {
  p('Floor: W1 in one process, one image at a time, CPU ms per image (`./imgd bench-convert`: "binding only" is the');
  p('floor, the libvips calls of W1 through the FFM binding alone; bench/floor.c makes the same calls from C).');
  p();
  p('| round | floor (binding only) | imgd pipeline in-process | C floor | imgd server CPU ms per W1 request | server / floor |');
  p('|---|---|---|---|---|---|');
  for (const fl of floors) {
    const run = perRound('W1', 'imgd', fl.round);
    p(
      `| ${fl.round} | ${f(fl.binding, 1)} | ${f(fl.pipeline, 1)} | ${f(fl.c, 1)} | ${f(run ? run.cpu : NaN, 1)} | ` +
        `${f(run ? run.cpu / fl.binding : NaN, 2)} |`);
  }
  p();
}
// Issue 17's targets: isolated (the default) and in-process have their own.
const inProcess = meta.mode === 'in-process';
if (workloads.includes('W1')) target('W1 req/s, imgd/sharp', ratio('W1', 'rps'), inProcess ? 1.05 : 1.0, '>=');
if (workloads.includes('W1')) target('W1 p99, imgd/sharp', ratio('W1', 'p99'), 1.0, '<=');
if (workloads.includes('W1') && floors.length) {
  target(
    'W1 imgd server CPU per request / floor',
    spread(floors.map((fl) => (perRound('W1', 'imgd', fl.round) || {}).cpu / fl.binding)),
    1.05,
    '<=');
}
if (workloads.includes('W1')) target('W1 peak RSS, imgd/sharp', ratio('W1', 'rss'), inProcess ? 1.2 : 1.5, '<=');
if (workloads.includes('W4') && workloads.includes('W1')) {
  target('W4 req/s / W1 req/s (imgd)', ratio('W4', 'rps', 'imgd', 'W1'), 20, '>=');
}
if (workloads.includes('W6')) {
  target('W6 small requests\' p99, imgd/sharp', ratio('W6', 'smallP99'), 0.5, '<=');
  target('W6 total req/s, imgd/sharp (equal throughput)', ratio('W6', 'rps'), 0.95, '>=');
}
if (workloads.includes('OV')) {
  if (workloads.includes('W1')) target('OV good-put / W1 req/s at c16 (imgd)', ratio('OV', 'rps', 'imgd', 'W1'), 0.9, '>=');
  target('OV good-put, imgd/sharp', ratio('OV', 'rps'), 1.0, '>=');
  target('OV imgd /health p99 ms', spread(of('OV', 'imgd').map((r) => r.healthP99)), 50, '<=');
  target('OV imgd 503s without Retry-After', spread([of('OV', 'imgd').reduce((a, r) => a + r.noRetryAfter, 0)]), 0, '<=');
}
const herdOf = (s) => herds.filter((h) => h.server === s);
if (herds.length) {
  const imgdHerds = herdOf('imgd-cache');
  target('W7 imgd jobs per herd of 64 (most over the rounds)', spread([Math.max(...imgdHerds.map((h) => Number(h.jobs)))]), 1, '<=');
  target('W7 imgd distinct bodies per herd (most)', spread([Math.max(...imgdHerds.map((h) => Number(h.distinct)))]), 1, '<=');
  target('W7 imgd herd p99 / one request alone', spread(imgdHerds.map((h) => h.p99_us / h.single_us)), 1.2, '<=');
}
if (workloads.includes('W6')) {
  p('W6, mixed traffic (bench/load.js mix, c32: each request is the large one with probability 0.1), medians over the rounds:');
  p();
  p('| server | req/s | small p50 ms | small p99 ms | large p99 ms | small p99 imgd/sharp per round |');
  p('|---|---|---|---|---|---|');
  for (const s of ['imgd', 'peer']) {
    const rs = of('W6', s);
    if (!rs.length) continue;
    p(
      `| ${s === 'peer' ? 'sharp' : 'imgd'} | ${f(median(rs.map((r) => r.rps)), 1)} | ${f(median(rs.map((r) => r.smallP50)))} | ` +
        `${f(median(rs.map((r) => r.smallP99)))} | ${f(median(rs.map((r) => r.largeP99)))} | ${s === 'peer' ? '' : r3(ratio('W6', 'smallP99'))} |`);
  }
  p();
}
if (workloads.includes('OV')) {
  p('OV, overload (W1 at c256, clients that send again as soon as a 503 comes; /health polled every 100 ms), medians over the rounds:');
  p();
  p('| server | good-put (2xx/s) | 503/s | 503s without Retry-After | /health p99 ms (polls) | CPU ms per 2xx |');
  p('|---|---|---|---|---|---|');
  for (const s of ['imgd', 'peer']) {
    const rs = of('OV', s);
    if (!rs.length) continue;
    p(
      `| ${s === 'peer' ? 'sharp' : 'imgd'} | ${f(median(rs.map((r) => r.rps)), 1)} | ${f(median(rs.map((r) => r.refusedRps)), 1)} | ` +
        `${rs.reduce((a, r) => a + r.noRetryAfter, 0)} | ${f(median(rs.map((r) => r.healthP99)), 1)} (${rs.reduce((a, r) => a + r.healthPolls, 0)}) | ${f(median(rs.map((r) => r.cpu)), 1)} |`);
  }
  p();
}
if (herds.length) {
  p('W7, thundering herd: 64 requests at once for one new variant (imgd with its result cache; the peer has no cache, so 64 jobs), per round:');
  p();
  p('| round | server | answers 200 | distinct bodies | jobs run | coalesced | herd p50 ms | herd p99 ms | one request alone ms | p99 / alone |');
  p('|---|---|---|---|---|---|---|---|---|---|');
  for (const h of herds) {
    const peer = h.server === 'peer';
    p(
      `| ${h.round} | ${peer ? 'sharp' : 'imgd'} | ${h.ok}/${h.n} | ${h.distinct} | ${peer ? `${h.n} (no coalescing)` : h.jobs} | ` +
        `${peer ? '-' : h.coalesced} | ${f(h.p50_us / 1e3)} | ${f(h.p99_us / 1e3)} | ${f(h.single_us / 1e3)} | ${f(h.p99_us / h.single_us, 2)} |`);
  }
  p();
}
p('Targets (medians of the per-round ratios):');
p();
p('| target | goal | min - **median** - max | result |');
p('|---|---|---|---|');
for (const t of targets) {
  const res = t.ok ? 'met' : `missed by ${f(Math.abs(t.by), 0)}%`;
  p(`| ${t.name} | ${t.cmp} ${t.goal} | ${r3(t.s)} | ${res} |`);
}
if (meta.w4cache) p(`\nW4 result cache after the run: ${meta.w4cache}.`);
const errs = runs.filter((r) => r.errors > 0 && r.workload !== 'OV'); // OV's 503s are its point
if (errs.length) {
  p(`\nWARNING: ${errs.length} runs had errors (non-2xx answers or timeouts): ` +
    errs.map((r) => `round ${r.round} ${r.workload} ${r.server}: ${r.errors}`).join('; '));
}
p();
p('Peak RSS per process at the peak (MiB, the server first), per run:');
p();
for (const w of workloads) {
  for (const s of [imgdName(w), 'peer']) {
    const rs = of(w, s);
    if (rs.length) p(`- ${w} ${s}: ${rs.map((r) => r.parts).join(', ')}; server JVM CPU ms/req ${rs.map((r) => f(r.rootCpu, 1)).join(', ')}`);
  }
}
console.log(out.join('\n'));
if (chartsDir) charts(chartsDir);
const missed = targets.filter((t) => !t.ok);
if (missed.length && !quick) process.exit(3);

// SVG charts, one file each, readable at a glance: imgd and sharp side by side.
function charts(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const blues = ['#2b6cb0', '#4299e1', '#90cdf4', '#bee3f8', '#1a365d'];
  const colour = (series, j) => (series[j] === 'sharp' ? '#dd6b20' : blues[j % blues.length]);
  const esc = (t) => String(t).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  // Grouped bars: groups of {label, values: {series: number}}.
  const bars = (title, unit, groups, series) => {
    const W = Math.max(420, 120 + groups.length * (series.length * 34 + 30)), H = 310, top = 56, base = 260;
    const max = Math.max(1e-9, ...groups.flatMap((g) => series.map((sr) => g.values[sr] || 0)));
    const o = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
      `<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
      `<line x1="60" y1="${base}" x2="${W - 10}" y2="${base}" stroke="#333"/>`];
    for (let t = 0; t <= 4; t++) {
      const y = base - ((base - top) * t) / 4;
      o.push(`<text x="55" y="${y + 4}" text-anchor="end">${f((max * t) / 4, max < 10 ? 1 : 0)}</text>`,
        `<line x1="60" y1="${y}" x2="${W - 10}" y2="${y}" stroke="#ddd"/>`);
    }
    groups.forEach((g, i) => {
      const x0 = 75 + i * (series.length * 34 + 30);
      series.forEach((sr, j) => {
        const v = g.values[sr];
        if (!Number.isFinite(v)) return;
        const h = ((base - top) * v) / max;
        o.push(`<rect x="${x0 + j * 34}" y="${base - h}" width="30" height="${h}" fill="${colour(series, j)}"><title>${esc(`${g.label} ${sr}: ${f(v, 1)} ${unit}`)}</title></rect>`);
      });
      o.push(`<text x="${x0 + (series.length * 34) / 2}" y="${base + 16}" text-anchor="middle">${esc(g.label)}</text>`);
    });
    let lx = 10;
    series.forEach((sr, j) => {
      o.push(`<rect x="${lx}" y="28" width="12" height="12" fill="${colour(series, j)}"/><text x="${lx + 16}" y="38">${esc(sr)}</text>`);
      lx += 30 + 7 * sr.length;
    });
    o.push(`<text x="10" y="${H - 10}">${esc(unit)}; medians over the rounds</text></svg>`);
    return o.join('\n');
  };
  const med = (w, s, key) => median(of(w, s).map((r) => r[key]));
  const per = (key) => workloads.map((w) => ({ label: w, values: { imgd: med(w, imgdName(w), key), sharp: med(w, 'peer', key) } }));
  fs.writeFileSync(`${dir}/throughput.svg`, bars('Throughput per workload (OV: 2xx only)', 'req/s', per('rps'), ['imgd', 'sharp']));
  fs.writeFileSync(`${dir}/p99.svg`, bars('p99 latency per workload', 'ms', per('p99'), ['imgd', 'sharp']));
  // RSS per process at the peak, median run per workload: imgd's server JVM, workers, spare.
  const rssGroups = workloads.map((w) => {
    const rs = of(w, imgdName(w)).map((r) => String(r.parts || '').split('+').map(Number));
    const parts = rs.length ? rs[Math.floor(rs.length / 2)] : [];
    const values = { sharp: med(w, 'peer', 'rss') };
    parts.forEach((mib, i) => { values[i === 0 ? 'imgd server' : `imgd process ${i + 1}`] = mib; });
    return { label: w, values };
  });
  const most = Math.max(0, ...rssGroups.map((g) => Object.keys(g.values).length - 1));
  const procSeries = [...Array.from({ length: most }, (_, i) => (i === 0 ? 'imgd server' : `imgd process ${i + 1}`)), 'sharp'];
  fs.writeFileSync(`${dir}/rss.svg`, bars('Peak RSS per process (imgd: server JVM, workers, spare)', 'MiB', rssGroups, procSeries));
  // Good-put against offered load: W1 (16 connections) and OV (256).
  if (workloads.includes('W1') && workloads.includes('OV')) {
    const offered = [{ label: 'c16 (W1)', w: 'W1' }, { label: 'c256 (OV)', w: 'OV' }];
    fs.writeFileSync(`${dir}/goodput.svg`, bars('Good-put against offered load (2xx/s)', '2xx/s', offered.map((o) => ({ label: o.label, values: { imgd: med(o.w, 'imgd', 'rps'), sharp: med(o.w, 'peer', 'rps') } })), ['imgd', 'sharp']));
  }
}
