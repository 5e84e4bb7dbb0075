// The README must stay true: its code blocks are run here.
import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';
import * as ts from 'typescript';
import * as ridge from '../lib/index';

const root = path.resolve(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

function tsBlocks(md: string): string[] {
  return [...md.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

describe('README', () => {
  test('the tensor example runs against the engine and prints what its comments say', () => {
    const block = tsBlocks(readme).find((b) => b.includes("from 'ridge'"));
    expect(block).toBeDefined();
    const js = ts.transpileModule(block!, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
    const printed: unknown[][] = [];
    const fakeRequire = (id: string): unknown => {
      if (id !== 'ridge') throw new Error(`README example imports ${id}`);
      return ridge;
    };
    new Function('require', 'exports', 'console', js)(fakeRequire, {}, { log: (...a: unknown[]) => printed.push(a) });
    expect(printed).toHaveLength(3);
    // softmax rows sum to 1
    const probs = printed[0][0] as number[][];
    expect(probs).toHaveLength(2);
    for (const row of probs) expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    expect(printed[1][0]).toEqual([1 + 4, 2 + 5, 3 + 6]);
    expect(Array.from(printed[1][1] as Float32Array)).toEqual([(1 + 2 + 3 + 4 + 5 + 6) / 6]);
    expect(printed[2][0]).toEqual([3, 3]);
  });

  test('the quickstart block is examples/quickstart.ts, which runs and learns', () => {
    const block = readme.split('<!-- quickstart -->')[1];
    const code = tsBlocks(block)[0];
    const file = fs.readFileSync(path.join(root, 'examples/quickstart.ts'), 'utf8');
    expect(file).toContain(code.trimEnd());
    const out = execFileSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--transpile-only', 'examples/quickstart.ts'], {
      cwd: root, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' },
    });
    expect(out).toMatch(/Total params: 153/);
    expect(out).toMatch(/target: 'activity'/);
    const acc = Number(/val accuracy ([\d.]+)/.exec(out)![1]);
    expect(acc).toBeGreaterThan(0.75);
  });

  test('the set-up commands are the package scripts CI runs', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
    expect(pkg.scripts.start).toMatch(/examples\/lab\.ts/);
    expect(fs.readFileSync(path.join(root, '.ci/run'), 'utf8')).toMatch(/^npm test$/m);
    expect(Object.keys(pkg.dependencies ?? {})).toEqual([]);
  });
});
