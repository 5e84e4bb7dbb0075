/**
 * The published build: `npm run build` emits CommonJS, ES modules and type declarations, and both
 * module systems load the engine and compute with it. Runs the build once (tens of seconds).
 * Child processes run plain Node, outside jest's module system, the way a user loads the package.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';

const root = path.resolve(__dirname, '..');
const cjsEntry = path.join(root, 'dist', 'cjs', 'lib', 'index.js');
const esmEntry = path.join(root, 'dist', 'esm', 'lib', 'index.js');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

// The same check in both module systems: the three names exist and [[1,2],[3,4]]·[[5,6],[7,8]] is right.
const PROBE = `
  const names = ['tensor', 'matMul', 'regularizers'].map((k) => k + ':' + typeof m[k]);
  const c = m.matMul(m.tensor([[1, 2], [3, 4]]), m.tensor([[5, 6], [7, 8]]));
  const penalty = m.regularizers.l2({ l2: 0.5 }).penalty(m.tensor([1, 2]));
  console.log(JSON.stringify({ names, c: c.toArray(), shape: c.shape, penalty }));
`;
const EXPECTED = {
  names: ['tensor:function', 'matMul:function', 'regularizers:object'],
  c: [[1 * 5 + 2 * 7, 1 * 6 + 2 * 8], [3 * 5 + 4 * 7, 3 * 6 + 4 * 8]],
  shape: [2, 2],
  penalty: 0.5 * (1 * 1 + 2 * 2),
};

function runNode(args: string[]): unknown {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`node ${args.slice(0, 2).join(' ')} failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

beforeAll(() => {
  try {
    execFileSync(npm, ['run', 'build'], { cwd: root, stdio: 'pipe', encoding: 'utf8', timeout: 120_000 });
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    // tsc reports type errors on stdout: show both streams so the failure names the file and line.
    throw new Error(`npm run build failed (exit ${err.status}):\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}, 120_000);

describe('npm run build → dist/cjs, dist/esm, dist/types', () => {
  test('emits both module formats and type declarations', () => {
    expect(fs.existsSync(cjsEntry)).toBe(true);
    expect(fs.existsSync(esmEntry)).toBe(true);
    expect(fs.existsSync(path.join(root, 'dist', 'types', 'lib', 'index.d.ts'))).toBe(true);
    // ES module output uses explicit file names (Node ESM cannot resolve extension-less specifiers).
    expect(fs.readFileSync(esmEntry, 'utf8')).toMatch(/from '\.\/ops\/matmul\.js'/);
  });

  test('CommonJS: require(dist/cjs/lib/index.js) in this process exposes tensor, matMul, regularizers and computes matMul', () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const m = require(cjsEntry);
    expect(typeof m.tensor).toBe('function');
    expect(typeof m.matMul).toBe('function');
    expect(typeof m.regularizers.l1).toBe('function');
    expect(m.matMul(m.tensor([[1, 2], [3, 4]]), m.tensor([[5, 6], [7, 8]])).toArray()).toEqual(EXPECTED.c);
  });

  test('CommonJS in plain Node: require(dist/cjs/lib/index.js)', () => {
    expect(runNode(['-e', `const m = require(${JSON.stringify(cjsEntry)});${PROBE}`])).toEqual(EXPECTED);
  });

  test('ES modules in plain Node: import(dist/esm/lib/index.js) with --input-type=module', () => {
    const url = pathToFileURL(esmEntry).href;
    expect(runNode(['--input-type=module', '-e', `const m = await import(${JSON.stringify(url)});${PROBE}`])).toEqual(EXPECTED);
  });

  test("the package exports map: require('ridge') and import('ridge') resolve to the build", () => {
    expect(runNode(['-e', `const m = require('ridge');${PROBE}`])).toEqual(EXPECTED);
    expect(runNode(['--input-type=module', '-e', `const m = await import('ridge');${PROBE}`])).toEqual(EXPECTED);
  });
});

describe("the 'ridge/node' subpath (node/, outside lib/)", () => {
  const NODE_PROBE = `
    console.log(JSON.stringify({ fileSystem: typeof m.io.fileSystem, fromMemory: typeof m.io.fromMemory,
      checkpoint: typeof m.callbacks.modelCheckpoint, load: typeof m.loadLayersModel, sequential: typeof m.sequential }));
  `;
  const NODE_EXPECTED = { fileSystem: 'function', fromMemory: 'function', checkpoint: 'function', load: 'function', sequential: 'function' };
  test("require('ridge/node') and import('ridge/node') expose io.fileSystem and callbacks.modelCheckpoint", () => {
    expect(runNode(['-e', `const m = require('ridge/node');${NODE_PROBE}`])).toEqual(NODE_EXPECTED);
    expect(runNode(['--input-type=module', '-e', `const m = await import('ridge/node');${NODE_PROBE}`])).toEqual(NODE_EXPECTED);
    expect(fs.existsSync(path.join(root, 'dist', 'types', 'node', 'index.d.ts'))).toBe(true);
  });
});
