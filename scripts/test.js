#!/usr/bin/env node
// `npm test` after the type check: the Node suite (jest), then the browser suite
// (jest -c jest.browser.config.js, real Chromium; see README "In the browser"). Both always run;
// the exit code is non-zero when either fails. Each writes its `N passed, N failed` summary file.
const { spawnSync } = require('child_process');
const path = require('path');

const jest = require.resolve('jest/bin/jest');
const run = (args) => spawnSync(process.execPath, [jest, ...args], { stdio: 'inherit', cwd: path.join(__dirname, '..') }).status;
const node = run([]);
const browser = run(['-c', 'jest.browser.config.js']);
process.exit(node === 0 && browser === 0 ? 0 : 1);
