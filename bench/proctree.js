// Samples a process and all its descendants (imgd's worker processes, say) from /proc, for
// bench/server.sh: CPU time (utime + stime) and resident memory (VmRSS, and Pss: each shared page
// divided among the processes that map it, so a library or class archive mapped by every worker
// counts once, as the kernel's cgroup limit counts it).
//
//   node bench/proctree.js PID INTERVAL_MS STOP_FILE > OUT
//
// It prints READY after the first sample; once STOP_FILE exists (or on SIGTERM) it takes a last
// sample and prints one line:
//   TREE cpu_ms=C root_cpu_ms=R peak_rss_kb=P peak_pss_kb=Q peak_procs=N peak_parts=a+b+... samples=S
// cpu_ms: CPU the tree used between the first and the last sample; a process born in between
// counts from zero, one that died counts up to its last sample. peak_rss_kb: the largest sum of
// VmRSS over the tree in one sample; peak_parts: that sample's VmRSS per process in MiB, the root
// first. peak_pss_kb: the largest sum of Pss over the tree in one sample.
'use strict';
const fs = require('node:fs');

const root = Number(process.argv[2]);
const interval = Number(process.argv[3] || 200);
const stopFile = process.argv[4];
const hz = Number(process.env.CLK_TCK || 100);
if (!root) {
  console.error('usage: proctree.js PID INTERVAL_MS STOP_FILE');
  process.exit(2);
}

// pid -> {start, first, last} in clock ticks; start tells a reused pid from the old one.
const seen = new Map();
let firstSample = true;
let peakKb = 0;
let peakParts = [];
let peakPssKb = 0;
let samples = 0;

function stat(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // f[0] is field 3 (state): ppid is field 4, utime 14, stime 15, starttime 22.
    return { ppid: Number(f[1]), cpu: Number(f[11]) + Number(f[12]), start: f[19] };
  } catch {
    return null;
  }
}

function rssKb(pid) {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function pssKb(pid) {
  try {
    const m = /^Pss:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function sample() {
  const all = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    const st = stat(name);
    if (st) all.set(Number(name), st);
  }
  const children = new Map();
  for (const [pid, st] of all) {
    if (!children.has(st.ppid)) children.set(st.ppid, []);
    children.get(st.ppid).push(pid);
  }
  const tree = [];
  const todo = all.has(root) ? [root] : [];
  while (todo.length) {
    const pid = todo.pop();
    tree.push(pid);
    for (const c of children.get(pid) || []) todo.push(c);
  }
  let kb = 0;
  let pss = 0;
  const parts = [];
  for (const pid of tree) {
    const st = all.get(pid);
    const key = `${pid}:${st.start}`;
    const known = seen.get(key);
    if (known) known.last = st.cpu;
    else seen.set(key, { pid, first: firstSample ? st.cpu : 0, last: st.cpu });
    const r = rssKb(pid);
    kb += r;
    pss += pssKb(pid);
    parts.push(pid === root ? Infinity : r, r);
  }
  peakPssKb = Math.max(peakPssKb, pss);
  if (kb > peakKb) {
    peakKb = kb;
    // The root first, then the others largest first.
    const pairs = [];
    for (let i = 0; i < parts.length; i += 2) pairs.push([parts[i], parts[i + 1]]);
    pairs.sort((a, b) => b[0] - a[0]);
    peakParts = pairs.map((p) => Math.round(p[1] / 1024));
  }
  firstSample = false;
  samples++;
}

let finished = false;
function finish() {
  if (finished) return;
  finished = true;
  sample();
  let cpu = 0;
  let rootCpu = 0;
  for (const v of seen.values()) {
    cpu += v.last - v.first;
    if (v.pid === root) rootCpu += v.last - v.first;
  }
  process.stdout.write(
    `TREE cpu_ms=${Math.round((cpu * 1000) / hz)} root_cpu_ms=${Math.round((rootCpu * 1000) / hz)}` +
      ` peak_rss_kb=${peakKb} peak_pss_kb=${peakPssKb} peak_procs=${peakParts.length} peak_parts=${peakParts.join('+')}` +
      ` samples=${samples}\n`,
    () => process.exit(0));
}

sample();
process.stdout.write('READY\n');
setInterval(() => (stopFile && fs.existsSync(stopFile) ? finish() : sample()), interval);
process.on('SIGTERM', finish);
process.on('SIGINT', finish);
