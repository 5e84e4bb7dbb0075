/**
 * Shared machinery of the fuzz suite: a pool of bad values, and the one rule every generated case
 * is held to —
 *
 *   a call either returns normally, or throws a RidgeError (ShapeError / ConfigError / ValueError)
 *   whose message names the function; never a TypeError or RangeError from deep inside, never a
 *   non-Error throw.
 *
 * `Tally` counts the cases per category so the closing note can report them (printed once per file).
 */
import fc from 'fast-check';
import { ConfigError, RidgeError, ShapeError, Tensor, ValueError } from '../../lib';

/** One fixed seed for the whole suite: a failure reproduces exactly (fast-check prints the path). */
export const FC_SEED = 20261207;

/** Tensors of awkward shapes: scalars, empty axes, rank 6, a single element. */
export function awkwardTensor(): fc.Arbitrary<Tensor> {
  return fc.oneof(
    fc.constant(new Tensor(new Float32Array([1.5]), [])),
    fc.constant(new Tensor(new Float32Array(0), [0])),
    fc.constant(new Tensor(new Float32Array(0), [2, 0, 3])),
    fc.constant(new Tensor(new Float32Array([1]), [1, 1, 1, 1, 1, 1])),
    fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 5 }).map((shape) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const d = new Float32Array(n);
      for (let i = 0; i < n; i++) d[i] = Math.sin(i + 1);
      return new Tensor(d, shape);
    }),
  );
}

/** Values that are wrong where a number, shape, tensor, option or name is expected. */
export function badValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom<unknown>(
      null, undefined, NaN, Infinity, -Infinity, -1, 0, 1.5, -0.5, 2 ** 31, 2 ** 53, 1e300,
      '', 'x', 'same', '3', true, false, [], [null], [-1], [1.5], [0, 0], [2 ** 40, 2 ** 40],
      [NaN], ['a'], [[1, 2], [3]], {}, { shape: [2] }, () => 1, new Float32Array(3), Symbol('s'),
    ),
    awkwardTensor(),
    fc.integer({ min: -5, max: 10 }),
  );
}

/** Replaces argument `i` of `args` by `v` (copying), or one field of an options object. */
export function mutate(args: unknown[], i: number, field: string | null, v: unknown): unknown[] {
  const out = args.slice();
  if (field === null) out[i] = v;
  else out[i] = { ...(out[i] as object), [field]: v };
  return out;
}

export type Outcome = { ok: true; value: unknown } | { ok: false; error: RidgeError };

/**
 * Runs `f` and checks the rule above (`fn` may list accepted names as 'a|b'). Returns the outcome; throws (failing the property) when
 * the rule is broken, with the function, the case and what was thrown.
 */
export function typedOutcome(fn: string, f: () => unknown, describeCase: () => string): Outcome {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    if (!(e instanceof ShapeError || e instanceof ConfigError || e instanceof ValueError)) {
      const what = e instanceof Error ? `${e.constructor.name}: ${e.message}` : `a non-Error ${String(e)}`;
      throw new Error(`${fn}(${describeCase()}) threw ${what} — expected a ShapeError/ConfigError/ValueError`);
    }
    if (!fn.split('|').some((name) => e.message.includes(name))) {
      throw new Error(`${fn}(${describeCase()}) threw ${e.constructor.name} "${e.message}", which does not name ${fn}`);
    }
    return { ok: false, error: e };
  }
}

/** Same as typedOutcome for async calls; also fails when the call takes longer than `limitMs`. */
export async function typedOutcomeAsync(fn: string, f: () => Promise<unknown>, describeCase: () => string, limitMs = 20000): Promise<Outcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${fn}(${describeCase()}) did not settle within ${limitMs} ms (a hang)`)), limitMs);
  });
  try {
    const value = await Promise.race([f(), timeout]);
    return { ok: true, value };
  } catch (e) {
    if (e instanceof Error && e.message.includes('did not settle')) throw e;
    return typedOutcome(fn, () => { throw e; }, describeCase);
  } finally {
    clearTimeout(timer);
  }
}

/** A short printable rendering of generated arguments (tensors by shape). */
export function show(args: unknown[]): string {
  return args.map((a) => {
    if (a instanceof Tensor) return `Tensor[${a.shape.join(',')}]`;
    if (typeof a === 'symbol') return a.toString();
    if (typeof a === 'function') return 'function';
    if (a instanceof Float32Array) return `Float32Array(${a.length})`;
    try { return JSON.stringify(a, (_k, v) => (v instanceof Tensor ? `Tensor[${v.shape}]` : typeof v === 'symbol' ? v.toString() : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) ?? String(a); } catch { return String(a); }
  }).join(', ');
}

/** True when every element of `t` is finite. */
export function finite(t: Tensor): boolean {
  const d = t.data;
  for (let i = 0; i < d.length; i++) if (d[i] - d[i] !== 0) return false;
  return true;
}

/** Case counts per category, printed at the end of a spec file for the closing note. */
export class Tally {
  private readonly counts = new Map<string, { cases: number; errors: number; ok: number }>();
  add(category: string, o: Outcome): void {
    const c = this.counts.get(category) ?? { cases: 0, errors: 0, ok: 0 };
    c.cases++;
    if (o.ok) c.ok++; else c.errors++;
    this.counts.set(category, c);
  }
  get(category: string): { cases: number; errors: number; ok: number } {
    return this.counts.get(category) ?? { cases: 0, errors: 0, ok: 0 };
  }
  report(title: string): string {
    const rows = [...this.counts].map(([k, c]) => `  ${k}: ${c.cases} cases (${c.errors} typed errors, ${c.ok} accepted)`);
    return `${title}\n${rows.join('\n')}`;
  }
}
