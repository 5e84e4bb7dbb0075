/**
 * What a web developer installs: `npm pack` holds only the build, the README and package.json; types
 * resolve for import and require under moduleResolution node10, node16 and bundler
 * (@arethetypeswrong/cli) and publint finds nothing; consumer TypeScript projects (ESM node16, CJS
 * node16, bundler) type-check against the packed declarations and run; an esbuild bundle that imports
 * only `tensor` and `add` is a small fraction of one that imports everything; nothing in dist/ refers to
 * Node (process, Buffer, require of a non-relative module, __dirname, node: modules) outside a Node-only
 * subpath. The global setup built dist/ once; sizes go to test-output/browser/package-report.json.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import * as ts from 'typescript';
import { outDir, root } from './helpers/browser';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const tsc = require.resolve('typescript/bin/tsc');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const report: Record<string, unknown> = {};

let work: string;
let tarball: string;
let packInfo: { size: number; unpackedSize: number; entryCount: number; files: { path: string; size: number }[] };

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args.join(' ')} (in ${cwd}) failed with ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ridge-pack-'));
  const out = execFileSync(npm, ['pack', '--pack-destination', work, '--json'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  packInfo = JSON.parse(out)[0];
  tarball = path.join(work, (packInfo as unknown as { filename: string }).filename);
  // A consumer's node_modules/ridge, the way npm installs a package without dependencies.
  const installed = path.join(work, 'node_modules', 'ridge');
  fs.mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
  report.pack = { tarballBytes: packInfo.size, unpackedBytes: packInfo.unpackedSize, files: packInfo.entryCount };
}, 120_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'package-report.json'), JSON.stringify(report, null, 2) + '\n');
});

describe('npm pack', () => {
  test('contains only the build (JS + declarations), README.md and package.json: no specs, benches, examples, sources', () => {
    const files = packInfo.files.map((f) => f.path);
    const stray = files.filter((f) => !(f === 'README.md' || f === 'package.json' || /^LICENSE/.test(f) ||
      /^dist\/(cjs|esm)\/.+\.js$/.test(f) || /^dist\/(types|esm)\/.+\.d\.ts$/.test(f) || /^dist\/(cjs|esm)\/package\.json$/.test(f)));
    expect(stray).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/esm/lib/index.js', 'dist/cjs/lib/index.js',
      'dist/types/lib/index.d.ts', 'dist/esm/lib/index.d.ts']));
    expect(files.some((f) => /(^|\/)(spec|spec-browser|bench|examples)\//.test(f) || /\.spec\./.test(f))).toBe(false);
  });
});

describe('types and package metadata', () => {
  test('@arethetypeswrong/cli: no problems (node10 for the main entry only); node16 from CJS and ESM and bundler resolve the right declarations for every subpath', () => {
    const attw = path.join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
    const r = spawnSync(process.execPath, [attw, tarball, '--format', 'json'], { cwd: work, encoding: 'utf8', timeout: 120_000 });
    const result = JSON.parse(r.stdout);
    const problems = (Array.isArray(result.problems) ? result.problems : Object.values(result.problems ?? {}).flat()) as
      { kind: string; entrypoint?: string; resolutionKind?: string }[];
    // node10 resolution ignores the exports map, so a subpath such as 'ridge/node' cannot resolve there
    // without typesVersions; the issue asks for node16 and bundler. The main entry must resolve in all.
    const tolerated = (p: { entrypoint?: string; resolutionKind?: string }) => p.resolutionKind === 'node10' && p.entrypoint !== '.';
    report.attwToleratedNode10 = problems.filter(tolerated);
    expect(problems.filter((p) => !tolerated(p))).toEqual([]);
    // Every subpath: ESM declarations for import, CommonJS declarations for require.
    for (const [sub, e] of Object.entries(result.analysis.entrypoints as Record<string, { resolutions: Record<string, { resolution?: { fileName: string } }> }>)) {
      if (sub === './package.json') continue;
      expect([sub, e.resolutions['node16-esm'].resolution?.fileName]).toEqual([sub, expect.stringMatching(/^\/node_modules\/ridge\/dist\/esm\/.+\.d\.ts$/)]);
      expect([sub, e.resolutions['node16-cjs'].resolution?.fileName]).toEqual([sub, expect.stringMatching(/^\/node_modules\/ridge\/dist\/types\/.+\.d\.ts$/)]);
      expect([sub, e.resolutions.bundler.resolution?.fileName]).toEqual([sub, expect.stringMatching(/^\/node_modules\/ridge\/dist\/esm\/.+\.d\.ts$/)]);
    }
    const resolved = Object.fromEntries(Object.entries(result.analysis.entrypoints['.'].resolutions as Record<string, { resolution?: { fileName: string } }>)
      .map(([kind, v]) => [kind, v.resolution?.fileName]));
    expect(resolved).toEqual({
      'node10': '/node_modules/ridge/dist/types/lib/index.d.ts',
      'node16-cjs': '/node_modules/ridge/dist/types/lib/index.d.ts',
      'node16-esm': '/node_modules/ridge/dist/esm/lib/index.d.ts',
      'bundler': '/node_modules/ridge/dist/esm/lib/index.d.ts',
    });
  });

  test('publint (strict): no errors, warnings or suggestions', () => {
    const script = path.join(work, 'publint-run.mjs');
    fs.writeFileSync(script, `import { publint } from ${JSON.stringify(require.resolve('publint').replace(/\\/g, '/'))};\n` +
      `const r = await publint({ pkgDir: process.argv[2], strict: true });\nconsole.log(JSON.stringify(r.messages));\n`);
    const messages = JSON.parse(run(process.execPath, [script, path.join(work, 'node_modules', 'ridge')], work).trim().split('\n').pop()!);
    expect(messages).toEqual([]);
  });
});

// One program, checked and run by three consumer set-ups. `@ts-expect-error` lines fail the compile if
// the types were `any` (an unused @ts-expect-error is an error), so the declarations really are read.
const CONSUMER = `
import { tensor, add, matMul, sequential, layers, regularizers, optimizers, ShapeError } from 'ridge';
import type { Tensor, LossBreakdown, Regularizer } from 'ridge';

const a: Tensor = tensor([[1, 2], [3, 4]]);
const sum: Tensor = add(a, tensor([10, 20]));
const penalty: Regularizer = regularizers.l2({ l2: 0.5 });
export function neverCalled(): void {
  // @ts-expect-error units must be a number
  layers.dense({ units: 'four' });
  // @ts-expect-error Tensor has no such method
  a.frobnicate();
}
const model = sequential([layers.dense({ units: 1, inputShape: [2], seed: 1, kernelRegularizer: penalty })]);
model.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
const b: LossBreakdown = model.lossBreakdown(a, tensor([[1], [0]]));
let shapeError = '';
try { matMul(a, tensor([1, 2, 3])); } catch (e) { if (e instanceof ShapeError) shapeError = e.name; }
console.log(JSON.stringify({ sum: sum.toArray(), penalty: penalty.penalty(tensor([1, 2])), terms: b.penalties.map((p) => p.target), shapeError }));
`;
const CONSUMER_OUT = { sum: [[11, 22], [13, 24]], penalty: 0.5 * (1 * 1 + 2 * 2), terms: ['kernel'], shapeError: 'ShapeError' };

describe('a consumer TypeScript project type-checks against the packed declarations and runs', () => {
  const setups: [string, string, Record<string, unknown>, 'module' | 'commonjs'][] = [
    ['ESM, moduleResolution node16', 'index.mts', { module: 'node16', moduleResolution: 'node16' }, 'module'],
    ['CommonJS, moduleResolution node16', 'index.cts', { module: 'node16', moduleResolution: 'node16' }, 'commonjs'],
    ['bundler resolution (then bundled with esbuild)', 'index.ts', { module: 'esnext', moduleResolution: 'bundler' }, 'module'],
  ];
  test.each(setups)('%s', async (label, file, options, type) => {
    const dir = path.join(work, 'consumer-' + label.split(',')[0].split(' ')[0].toLowerCase() + '-' + file.split('.')[1]);
    fs.mkdirSync(dir, { recursive: true });
    fs.symlinkSync(path.join(work, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type }));
    fs.writeFileSync(path.join(dir, file), CONSUMER);
    // skipLibCheck false: Ridge's own .d.ts files are checked too (TypeScript's lib files are not:
    // skipDefaultLibCheck); no @types/node anywhere.
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2020', lib: ['ES2020', 'DOM'], strict: true, skipLibCheck: false, skipDefaultLibCheck: true, types: [], outDir: 'out', ...options },
      files: [file],
    }));
    run(process.execPath, [tsc, '-p', 'tsconfig.json'], dir);
    let entry = path.join(dir, 'out', file.replace(/\.(m|c)?ts$/, (_m, k) => `.${k ?? ''}js`));
    if (options.moduleResolution === 'bundler') {
      const esbuild = await import('esbuild');
      const bundled = path.join(dir, 'out', 'bundle.mjs');
      await esbuild.build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'neutral', outfile: bundled, logLevel: 'silent' });
      entry = bundled;
    }
    expect(JSON.parse(run(process.execPath, [entry], dir).trim())).toEqual(CONSUMER_OUT);
  }, 120_000);
});

test('tree-shaking: an esbuild bundle of only tensor + add is under 10% of a bundle of everything', async () => {
  const esbuild = await import('esbuild');
  const dir = path.join(work, 'shake');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'small.js'), "import { tensor, add } from 'ridge';\nconsole.log(add(tensor([1, 2]), tensor([3, 4])).toArray());\n");
  fs.writeFileSync(path.join(dir, 'all.js'), "import * as ridge from 'ridge';\nconsole.log(ridge);\n");
  const size = async (entry: string) => {
    const r = await esbuild.build({ entryPoints: [path.join(dir, entry)], absWorkingDir: work, nodePaths: [path.join(work, 'node_modules')],
      bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent' });
    const bytes = r.outputFiles[0].contents;
    return { bytes: bytes.length, gzip: zlib.gzipSync(bytes).length, code: Buffer.from(bytes).toString('utf8') };
  };
  const small = await size('small.js'), all = await size('all.js');
  report.treeShaking = { tensorAndAdd: { bytes: small.bytes, gzip: small.gzip }, everything: { bytes: all.bytes, gzip: all.gzip }, ratio: +(small.bytes / all.bytes).toFixed(3) };
  expect(small.bytes).toBeLessThan(0.1 * all.bytes);
  // The small bundle really is the small engine: no layers, conv kernels or training loop in it.
  expect(small.code).not.toMatch(/GlobalAveragePooling|conv2dBackpropFilter|checkNumerics/);
  expect(all.code).toMatch(/GlobalAveragePooling/);
});

describe('tree-shaking keeps the built-in layer registry wherever it is used', () => {
  // lib/layers/index.ts fills the registry with top-level registerLayerClass calls. With sideEffects
  // false a bundler keeps those calls only when something from lib/layers/index is used; a module that
  // imports lib/layers/registry directly gets an empty registry in a bundle ("unknown layer class Dense").
  test('an esbuild bundle that only uses layers.layerClassFromName builds a Dense layer from its config', async () => {
    const esbuild = await import('esbuild');
    const dir = path.join(work, 'registry');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'entry.mjs'), "import { layers } from 'ridge';\n" +
      "const dense = layers.layerClassFromName('Dense')({ units: 3 });\n" +
      "console.log(JSON.stringify({ className: dense.className, units: dense.getConfig().units, n: layers.registeredLayerClasses().length }));\n");
    const out = path.join(dir, 'bundle.mjs');
    await esbuild.build({ entryPoints: [path.join(dir, 'entry.mjs')], absWorkingDir: work, nodePaths: [path.join(work, 'node_modules')],
      bundle: true, minify: true, format: 'esm', platform: 'neutral', outfile: out, logLevel: 'silent' });
    const r = JSON.parse(run(process.execPath, [out], dir).trim());
    expect(r.className).toBe('Dense');
    expect(r.units).toBe(3);
    expect(r.n).toBeGreaterThanOrEqual(10);
  });

  test('no module outside lib/layers imports lib/layers/registry directly (import it through lib/layers/index)', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !p.startsWith(path.join(root, 'lib', 'layers') + path.sep)) {
          const src = fs.readFileSync(p, 'utf8');
          for (const m of src.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']*layers\/registry)'/gm)) offenders.push(`${path.relative(root, p)} imports '${m[1]}'`);
        }
      }
    };
    for (const d of ['lib', 'node']) if (fs.existsSync(path.join(root, d))) walk(path.join(root, d));
    expect(offenders).toEqual([]);
  });
});

describe('nothing in dist/ refers to Node outside a Node-only subpath', () => {
  // Node-only files: any under a `node/` directory (the `ridge/node` subpath) and whatever an export
  // key starting with ./node points to.
  const nodeOnly = new Set<string>();
  const collect = (v: unknown): void => {
    if (typeof v === 'string') nodeOnly.add(path.posix.normalize(v.replace(/^\.\//, '')));
    else if (v && typeof v === 'object') Object.values(v).forEach(collect);
  };
  for (const [key, target] of Object.entries(pkg.exports ?? {})) if (key.startsWith('./node')) collect(target);
  const isNodeOnly = (rel: string) => /(^|\/)node(\/|\.(js|d\.ts)$)/.test(rel) ||
    [...nodeOnly].some((t) => rel === t || rel.startsWith(path.posix.dirname(t) + '/node'));
  const NODE_GLOBALS = new Set(['process', 'Buffer', '__dirname', '__filename', 'global', 'setImmediate']);

  /** Free references to Node globals, require()/import of non-relative modules, and node: specifiers. */
  function nodeRefs(file: string, text: string): string[] {
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2020, true, file.endsWith('.d.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);
    const found: string[] = [];
    const cjs = file.includes(`${path.sep}cjs${path.sep}`);
    const where = (n: ts.Node) => `${path.relative(root, file)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
    const visit = (n: ts.Node): void => {
      if (ts.isIdentifier(n)) {
        const p = n.parent;
        const isPropertyName = (ts.isPropertyAccessExpression(p) && p.name === n) || (ts.isPropertyAssignment(p) && p.name === n) ||
          (ts.isQualifiedName(p) && p.right === n) || ((ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isPropertySignature(p)) && p.name === n);
        if (!isPropertyName && (NODE_GLOBALS.has(n.text) || n.text === 'NodeJS')) found.push(`${where(n)} ${n.text}`);
        if (!isPropertyName && n.text === 'require') {
          const call = ts.isCallExpression(p) && p.expression === n ? p : null;
          const spec = call && call.arguments[0] && ts.isStringLiteral(call.arguments[0]) ? call.arguments[0].text : null;
          if (!(cjs && spec !== null && spec.startsWith('.'))) found.push(`${where(n)} require(${spec ?? '?'})`);
        }
      }
      const p = n.parent;
      const isSpecifier = p && ((ts.isImportDeclaration(p) || ts.isExportDeclaration(p)) && p.moduleSpecifier === n ||
        ts.isCallExpression(p) && p.arguments[0] === n && (p.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(p.expression) && p.expression.text === 'require')) ||
        ts.isLiteralTypeNode(p) && ts.isImportTypeNode(p.parent) || ts.isExternalModuleReference(p));
      if (ts.isStringLiteral(n) && isSpecifier && !n.text.startsWith('.')) {
        found.push(`${where(n)} imports '${n.text}'`);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
    return found;
  }

  test('no process, Buffer, __dirname, require of a package, node: or any non-relative import in dist/esm, dist/cjs, dist/types', () => {
    const hits: string[] = [];
    let scanned = 0;
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.(js|d\.ts)$/.test(e.name) && !isNodeOnly(path.relative(root, p).split(path.sep).join('/'))) {
          scanned++;
          hits.push(...nodeRefs(p, fs.readFileSync(p, 'utf8')));
        }
      }
    };
    walk(path.join(root, 'dist'));
    expect(scanned).toBeGreaterThan(50);
    expect(hits).toEqual([]);
  });

  test('the scanner itself finds each kind of Node reference (so the scan above can fail)', () => {
    const f = path.join(root, 'dist', 'esm', 'lib', 'probe.js');
    expect(nodeRefs(f, "import fs from 'node:fs';\nconst x = process.env.X; Buffer.from('');\nconst p = require('path'); globalThis.process; o.Buffer;\n")).toEqual([
      'dist/esm/lib/probe.js:1 imports \'node:fs\'', 'dist/esm/lib/probe.js:2 process', 'dist/esm/lib/probe.js:2 Buffer',
      'dist/esm/lib/probe.js:3 require(path)', 'dist/esm/lib/probe.js:3 imports \'path\'',
    ]);
    expect(nodeRefs(path.join(root, 'dist', 'cjs', 'lib', 'x.js'), "const t = require('./tensor');\n")).toEqual([]);
    expect(isNodeOnly('dist/esm/lib/node/index.js')).toBe(true);
    expect(isNodeOnly('dist/esm/lib/index.js')).toBe(false);
  });
});
