// A minimal HTTP image server on sharp (libvips inside), used as the peer in side-by-side benchmarks.
//
//   npm install --no-audit --no-fund     (once, in this folder; bench/server.sh does it itself)
//   node server.js --root DIR [--port 8099] [--concurrency N]
//
//   GET /resize?src=NAME&w=720[&h=0][&fit=inside|cover|fill][&format=jpeg|webp|avif|png][&q=80]
//     reads DIR/NAME from disk on every request (like a local-file source), resizes, encodes, answers.
//   GET /health  -> 200 ok
// Settings follow sharp's own advice for servers: no libvips operation cache, bounded concurrency.
'use strict';
const http = require('node:http');
const fs = require('node:fs/promises');
const path = require('node:path');
const sharp = require('sharp');

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? acc.concat([[a.slice(2), all[i + 1]]]) : acc), []));
const root = path.resolve(args.root || '.');
const port = Number(args.port || 8099);
if (args.concurrency) sharp.concurrency(Number(args.concurrency));
sharp.cache(false);

const FITS = new Set(['inside', 'cover', 'fill', 'contain', 'outside']);
const FORMATS = new Set(['jpeg', 'webp', 'avif', 'png']);
const MIME = { jpeg: 'image/jpeg', webp: 'image/webp', avif: 'image/avif', png: 'image/png' };

function fail(res, code, msg) {
  res.writeHead(code, { 'content-type': 'text/plain' });
  res.end(msg);
}

http.createServer(async (req, res) => {
  const u = new URL(req.url, 'http://peer');
  if (u.pathname === '/health') return fail(res, 200, 'ok');
  if (u.pathname !== '/resize') return fail(res, 404, 'not found');
  const q = u.searchParams;
  const file = path.resolve(root, q.get('src') || '');
  if (!file.startsWith(root + path.sep)) return fail(res, 403, 'outside root');
  const w = Number(q.get('w') || 720) || null;
  const h = Number(q.get('h') || 0) || null;
  const fit = FITS.has(q.get('fit')) ? q.get('fit') : 'inside';
  const format = FORMATS.has(q.get('format')) ? q.get('format') : 'jpeg';
  const quality = Math.min(Math.max(Number(q.get('q') || 80), 1), 100);
  try {
    const input = await fs.readFile(file);
    const out = await sharp(input, { limitInputPixels: 50e6 })
      .rotate()
      .resize({ width: w, height: h, fit, withoutEnlargement: true })
      .toFormat(format, { quality })
      .toBuffer();
    res.writeHead(200, { 'content-type': MIME[format], 'content-length': out.length });
    res.end(out);
  } catch (e) {
    fail(res, e.code === 'ENOENT' ? 404 : 422, String(e.message || e));
  }
}).listen(port, '127.0.0.1', () => {
  console.log(`peer-sharp listening on 127.0.0.1:${port} root=${root} sharp=${sharp.versions.sharp} libvips=${sharp.versions.vips} concurrency=${sharp.concurrency()}`);
});
