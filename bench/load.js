// Load clients for bench/server.sh where wrk cannot say what is asked: latency per request class,
// a herd of concurrent requests with their bodies compared, a poller's latency. One line each, of
// key=value pairs, latencies in microseconds.
//
//   node bench/load.js mix SMALL_URL LARGE_URL FRACTION CONNECTIONS SECONDS
//     W6: a closed loop of CONNECTIONS clients; each request is LARGE_URL with probability
//     FRACTION, else SMALL_URL. Prints the WRK line of bench/wrk-report.lua (all requests) with
//     small_* and large_* figures appended: wrk's Lua sees no per-request latency.
//   node bench/load.js herd URL N
//     W7: N requests for URL at once, each on its own connection. Prints
//     HERD n= ok= distinct= (distinct bodies among the 200s) p50_us= p99_us= max_us=
//   node bench/load.js poll URL INTERVAL_MS STOP_FILE
//     A GET every INTERVAL_MS on one kept-alive connection until STOP_FILE exists. Prints READY at
//     once, then POLL polls= poll_ok= poll_p50_us= poll_p99_us= poll_max_us=
'use strict';
const http = require('node:http');
const crypto = require('node:crypto');
const fs = require('node:fs');

const [mode, ...args] = process.argv.slice(2);

function get(agent, url) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const done = (status, body) =>
      resolve({ status, body, us: Number((process.hrtime.bigint() - t0) / 1000n) });
    const req = http.get(url, { agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => done(res.statusCode, Buffer.concat(chunks)));
      res.on('error', () => done(0, null));
    });
    req.on('error', () => done(0, null));
  });
}

function pct(sorted, p) {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function figures(prefix, lat) {
  const s = [...lat].sort((a, b) => a - b);
  return `${prefix}p50_us=${pct(s, 50)} ${prefix}p90_us=${pct(s, 90)} ${prefix}p99_us=${pct(s, 99)} ${prefix}max_us=${s.length ? s[s.length - 1] : 0}`;
}

async function mix(smallUrl, largeUrl, fraction, connections, seconds) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const cls = { small: { lat: [], bad: 0 }, large: { lat: [], bad: 0 } };
  let bytes = 0;
  let errors = 0;
  const t0 = process.hrtime.bigint();
  const until = Date.now() + seconds * 1000;
  const client = async () => {
    while (Date.now() < until) {
      const large = Math.random() < fraction;
      const r = await get(agent, large ? largeUrl : smallUrl);
      const c = cls[large ? 'large' : 'small'];
      if (r.status === 0) errors++;
      else if (r.status >= 400) c.bad++;
      if (r.body) bytes += r.body.length;
      c.lat.push(r.us);
    }
  };
  await Promise.all(Array.from({ length: connections }, client));
  const us = Number((process.hrtime.bigint() - t0) / 1000n);
  const all = [...cls.small.lat, ...cls.large.lat];
  const s = [...all].sort((a, b) => a - b);
  console.log(
    `WRK requests=${all.length} duration_us=${us} bytes=${bytes} p50_us=${pct(s, 50)} p90_us=${pct(s, 90)}` +
      ` p99_us=${pct(s, 99)} max_us=${s.length ? s[s.length - 1] : 0} connect=${errors} read=0 write=0` +
      ` status=${cls.small.bad + cls.large.bad} timeout=0` +
      ` small_requests=${cls.small.lat.length} small_status=${cls.small.bad} ${figures('small_', cls.small.lat)}` +
      ` large_requests=${cls.large.lat.length} large_status=${cls.large.bad} ${figures('large_', cls.large.lat)}`);
  agent.destroy();
}

async function herd(url, n) {
  const agent = new http.Agent({ keepAlive: false, maxSockets: n });
  const rs = await Promise.all(Array.from({ length: n }, () => get(agent, url)));
  const ok = rs.filter((r) => r.status === 200);
  const distinct = new Set(ok.map((r) => crypto.createHash('sha256').update(r.body).digest('hex'))).size;
  console.log(`HERD n=${n} ok=${ok.length} distinct=${distinct} bytes=${ok.length ? ok[0].body.length : 0} ${figures('', rs.map((r) => r.us))}`);
}

async function poll(url, interval, stopFile) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const lat = [];
  let ok = 0;
  console.log('READY');
  while (!fs.existsSync(stopFile)) {
    const next = Date.now() + interval;
    const r = await get(agent, url);
    lat.push(r.us);
    if (r.status === 200) ok++;
    const wait = next - Date.now();
    if (wait > 0) await new Promise((res) => setTimeout(res, wait));
  }
  console.log(`POLL polls=${lat.length} poll_ok=${ok} ${figures('poll_', lat)}`);
  agent.destroy();
}

const run = {
  mix: () => mix(args[0], args[1], Number(args[2]), Number(args[3]), Number(args[4])),
  herd: () => herd(args[0], Number(args[1])),
  poll: () => poll(args[0], Number(args[1]), args[2]),
}[mode];
if (!run) {
  console.error('usage: load.js mix|herd|poll ... (see the head of this file)');
  process.exit(2);
}
run();
