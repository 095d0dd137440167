// `npm run web`: serves the repository root over HTTP on 127.0.0.1 and prints the page's URL
// (http://127.0.0.1:PORT/web/dist/). GET/HEAD only, no directory listing, nothing outside the root, no .git.
// .gz files are served as bytes (application/gzip, no Content-Encoding): the data loaders gunzip them.
// Options: --port N (default 8080; 0 = any free port; env PORT also works), --host H (default 127.0.0.1).
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const PAGE = '/web/dist/';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.tsv': 'text/tab-separated-values; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.gz': 'application/gzip',
  '.frnn': 'application/octet-stream',
  '.frnt': 'application/octet-stream',
};

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const server = createServer(async (req, res) => {
  let path;
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  } catch {
    res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed');
    return;
  }
  if (path === '/' || path === '/web' || path === '/web/' || path === '/web/dist') {
    res.writeHead(302, { location: PAGE }).end();
    return;
  }
  let file = resolve(ROOT, '.' + path);
  const inside = file === ROOT || file.startsWith(ROOT + sep);
  if (!inside || relative(ROOT, file).split(sep).includes('.git') || path.includes('\0')) {
    res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden');
    return;
  }
  try {
    if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
    const body = await readFile(file);
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-length': body.length,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      // Cross-origin isolation: the page (and its workers) get SharedArrayBuffer, so loadKernels({ threads })
      // can run helpers there (docs/performance.md). Every resource the pages load is same-origin.
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cross-origin-resource-policy': 'same-origin',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${path}`);
  }
});

const host = arg('host', '127.0.0.1');
const port = Number(arg('port', process.env.PORT ?? 8080));
server.on('error', (e) => {
  console.error(e.code === 'EADDRINUSE' ? `port ${port} is in use: pass --port N (or --port 0 for any free port)` : e.message);
  process.exit(1);
});
server.listen(port, host, () => {
  const { port: actual } = server.address();
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  console.log(`fused-rnn page: http://${shown.includes(':') ? `[${shown}]` : shown}:${actual}${PAGE}`);
  console.log(`serving ${ROOT} (Ctrl+C to stop)`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
