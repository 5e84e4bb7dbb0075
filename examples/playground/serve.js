#!/usr/bin/env node
// `npm run playground [-- --port N]`: bundles the playground (main.ts and worker.ts, with Ridge's
// sources) with esbuild into examples/playground/.build/, serves it on 127.0.0.1 only and prints the
// URL. Port 8099 by default, 0 for any free port. Ctrl-C stops it.
'use strict';
const path = require('path');
const { startStaticServer } = require('../../scripts/static-server.js');

const here = __dirname;
const outdir = path.join(here, '.build');

async function buildPlayground() {
  const esbuild = require('esbuild');
  await esbuild.build({
    entryPoints: [path.join(here, 'main.ts'), path.join(here, 'worker.ts')],
    outdir, bundle: true, format: 'esm', platform: 'browser', target: 'es2020', sourcemap: true, logLevel: 'warning',
  });
}

async function startPlayground({ port = 8099 } = {}) {
  await buildPlayground();
  const server = await startStaticServer({
    mounts: { '/build/': outdir, '/': here },
    index: '/index.html',
    port,
  });
  return { ...server, url: server.url + '/' };
}

module.exports = { buildPlayground, startPlayground };

if (require.main === module) {
  const i = process.argv.indexOf('--port');
  const port = i > 0 ? Number(process.argv[i + 1]) : 8099;
  startPlayground({ port }).then((s) => {
    console.log(`Ridge playground: ${s.url}`);
    const stop = () => s.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  }, (e) => {
    console.error(e && e.message ? e.message : e);
    process.exit(1);
  });
}
