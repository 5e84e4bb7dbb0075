// Builds dist/ in two module formats from one source tree:
//   dist/cjs    CommonJS (require)          dist/esm    ES modules (import)
//   dist/types  type declarations for require (CommonJS scope)
//   dist/esm/**/*.d.ts  the same declarations beside the ES modules, for import: under
//               moduleResolution node16/nodenext a .d.ts is read as ESM only inside a "type": "module"
//               scope, and its relative imports need file names (else "masquerading as CJS").
// The sources use extension-less relative imports (as ts-jest and ts-node expect); ES modules in
// Node need explicit file names, so the ESM output's relative specifiers (JS and declarations) are
// rewritten to './x.js' or './x/index.js' after compiling.
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

// Bundlers read `sideEffects` from the nearest package.json, which for dist/* is this one, not the
// package's: without it here, esbuild keeps every module an unused import reaches (e.g. all layers,
// for their registration calls) and `import { tensor, add }` bundles nearly everything.
fs.writeFileSync(path.join(dist, 'cjs', 'package.json'), '{ "type": "commonjs", "sideEffects": false }\n');
fs.writeFileSync(path.join(dist, 'esm', 'package.json'), '{ "type": "module", "sideEffects": false }\n');

function walk(dir, visit) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p, visit);
    else visit(p);
  }
}

// ESM declarations: a copy of dist/types inside dist/esm (rewritten below with the JS).
walk(path.join(dist, 'types'), (file) => {
  if (!file.endsWith('.d.ts')) return;
  const to = path.join(dist, 'esm', path.relative(path.join(dist, 'types'), file));
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(file, to);
});

const specifier = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*)(['"])/g;
walk(path.join(dist, 'esm'), (file) => {
  if (!file.endsWith('.js') && !file.endsWith('.d.ts')) return;
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
