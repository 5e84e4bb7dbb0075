// Once before the browser suite: build dist/ (scripts/build.js) and bundle it with esbuild, so every
// spec file serves the same files. Outputs go to test-output/browser/ (gitignored):
//   ridge.bundle.js   one ES module, everything in it (import * as m from '/out/ridge.bundle.js')
//   ridge.iife.js     a classic script defining globalThis.ridge (for importScripts in a classic worker)
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

module.exports = async function globalSetup() {
  const root = path.resolve(__dirname, '..');
  const out = path.join(root, 'test-output', 'browser');
  fs.mkdirSync(out, { recursive: true });
  try {
    execFileSync(process.execPath, [path.join(root, 'scripts', 'build.js')], { cwd: root, stdio: 'pipe', encoding: 'utf8' });
  } catch (e) {
    throw new Error(`spec-browser: npm run build failed:\n${e.stdout || ''}\n${e.stderr || ''}`);
  }
  const esbuild = require('esbuild');
  const entry = path.join(root, 'dist', 'esm', 'lib', 'index.js');
  await esbuild.build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'browser', target: 'es2020', outfile: path.join(out, 'ridge.bundle.js'), logLevel: 'silent' });
  await esbuild.build({ entryPoints: [entry], bundle: true, format: 'iife', globalName: 'ridge', platform: 'browser', target: 'es2020', outfile: path.join(out, 'ridge.iife.js'), logLevel: 'silent' });
};
