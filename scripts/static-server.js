// A static file server for the browser tests and the playground: node's http module only, bound to
// 127.0.0.1 (never another interface) on an ephemeral port unless one is given. `mounts` maps a URL
// prefix to a directory: { '/dist/': 'dist/', '/fixtures/': 'spec-browser/fixtures/' }. Only files
// under a mounted directory are served (no listing, no '..' escape); .js/.mjs go out as
// text/javascript so the browser accepts them as ES modules and module workers.
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.map': 'application/json', '.png': 'image/png',
  '.svg': 'image/svg+xml', '.wasm': 'application/wasm', '.ico': 'image/x-icon',
};

/**
 * @param {{ mounts: Record<string, string>, port?: number, index?: string }} opts
 * @returns {Promise<{ url: string, port: number, close(): Promise<void> }>}
 */
function startStaticServer(opts) {
  const mounts = Object.entries(opts.mounts)
    .map(([prefix, dir]) => [prefix, path.resolve(dir)])
    .sort((a, b) => b[0].length - a[0].length); // longest prefix first
  const server = http.createServer((req, res) => {
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
    } catch {
      res.writeHead(400).end('bad url');
      return;
    }
    if (pathname === '/' && opts.index) pathname = opts.index;
    const mount = mounts.find(([prefix]) => pathname.startsWith(prefix));
    if (!mount || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: ' + pathname);
      return;
    }
    const file = path.resolve(mount[1], '.' + path.sep + pathname.slice(mount[0].length));
    if (file !== mount[1] && !file.startsWith(mount[1] + path.sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: ' + pathname);
        return;
      }
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file)] || 'application/octet-stream',
        'content-length': st.size,
        'cache-control': 'no-store',
      });
      if (req.method === 'HEAD') res.end();
      else fs.createReadStream(file).pipe(res);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port || 0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
      });
    });
  });
}

module.exports = { startStaticServer };
