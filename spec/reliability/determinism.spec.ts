/**
 * Determinism: the same seeded model and fit, twice in one process and in two fresh processes,
 * gives bit-identical weights (compared by hash), on every backend the engine has.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { seededRun, useBackend } from './determinism-run';

const script = path.join(__dirname, 'determinism-run.ts');
const root = path.join(__dirname, '..', '..');
const child = (backend: string, seed = 11): string =>
  execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', script, backend, String(seed)], { cwd: root, encoding: 'utf8' }).trim();

const backends = ['js', 'wasm'].filter((b) => useBackend(b));

describe.each(backends)('backend %s', (backend) => {
  test('twice in one process: the same weight hash', async () => {
    useBackend(backend);
    const a = await seededRun(), b = await seededRun();
    expect(a).toMatch(/^[0-9a-f]{8}$/);
    expect(b).toBe(a);
  });

  test('in two child processes: the same hash as in this one', async () => {
    useBackend(backend);
    const here = await seededRun();
    expect(child(backend)).toBe(here);
    expect(child(backend)).toBe(here);
  }, 120000);
});

test('the hash sees a change: another shuffle seed or init seed gives another hash', async () => {
  useBackend('js');
  const base = await seededRun(11, 1);
  expect(await seededRun(12, 1)).not.toBe(base);
  expect(await seededRun(11, 2)).not.toBe(base);
});
