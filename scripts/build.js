// Builds dist/ in two module formats from one source tree:
//   dist/cjs    CommonJS (require)          dist/esm    ES modules (import)
//   dist/types  type declarations
// The sources use extension-less relative imports (as ts-jest and ts-node expect); ES modules in
// Node need explicit file names, so the ESM output's relative specifiers are rewritten to
// './x.js' or './x/index.js' after compiling.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const tsc = require.resolve('typescript/bin/tsc');

function run(args) {
  execFileSync(process.execPath, [tsc, ...args], { cwd: root, stdio: 'inherit' });
}

fs.rmSync(dist, { recursive: true, force: true });
// Declarations come out of the CommonJS pass (one tsc run fewer).
run(['-p', 'tsconfig.build.json', '--module', 'commonjs', '--outDir', 'dist/cjs', '--declaration', '--declarationDir', 'dist/types']);
run(['-p', 'tsconfig.build.json', '--module', 'es2020', '--outDir', 'dist/esm']);

fs.writeFileSync(path.join(dist, 'cjs', 'package.json'), '{ "type": "commonjs" }\n');
fs.writeFileSync(path.join(dist, 'esm', 'package.json'), '{ "type": "module" }\n');

function walk(dir, visit) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p, visit);
    else visit(p);
  }
}

const specifier = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*)(['"])/g;
walk(path.join(dist, 'esm'), (file) => {
  if (!file.endsWith('.js')) return;
  const dir = path.dirname(file);
  const src = fs.readFileSync(file, 'utf8');
  const out = src.replace(specifier, (all, pre, spec, post) => {
    if (/\.(m?js|json)$/.test(spec)) return all;
    const target = path.resolve(dir, spec);
    if (fs.existsSync(target + '.js')) return pre + spec + '.js' + post;
    if (fs.existsSync(path.join(target, 'index.js'))) return pre + spec + '/index.js' + post;
    throw new Error(`build: cannot resolve ${spec} from ${file}`);
  });
  if (out !== src) fs.writeFileSync(file, out);
});
console.log('build: dist/cjs, dist/esm and dist/types written');
