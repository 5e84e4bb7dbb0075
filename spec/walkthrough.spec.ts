/**
 * The penalty walkthrough (examples/penalty-walkthrough.ts) and the guide that quotes it
 * (docs/penalties.md): the walkthrough's numbers must agree with each other (by hand = engine =
 * finite differences), and every block and number the guide quotes must be what a fresh run
 * prints, so the guide cannot go stale.
 */
import * as fs from 'fs';
import * as path from 'path';
import { formatWalkthrough, runWalkthrough, smoothL1, updateGuide, ACT_L1, BATCH, L2, BIAS_L1, type Walkthrough } from '../examples/penalty-walkthrough';
import { Tensor } from '../lib';

const DOC = fs.readFileSync(path.join(__dirname, '..', 'docs', 'penalties.md'), 'utf8');
const SOURCE = fs.readFileSync(path.join(__dirname, '..', 'examples', 'penalty-walkthrough.ts'), 'utf8');
const NUMBER = /-?\d+(?:\.\d+)?(?:e[-+]?\d+)?/g;

/** Same number as printed with 6 significant digits, allowing float32 noise in the last digits. */
function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 2e-4 * Math.max(Math.abs(a), Math.abs(b)) + 1e-6;
}

/**
 * A finite difference of a float32 loss carries rounding noise of about eps·loss/step ≈ 1e-5
 * (more than the 6 printed digits): the 'finite diff' column is compared with that allowance.
 */
function closeFiniteDiff(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-3 * Math.max(Math.abs(a), Math.abs(b)) + 3e-5;
}

/** A line's text with every number replaced by '#', and whitespace collapsed. */
function skeleton(line: string): string {
  return line.replace(NUMBER, '#').replace(/\s+/g, ' ').trim();
}

function numbers(line: string): number[] {
  return (line.match(NUMBER) ?? []).map(Number);
}

function significantDigits(token: string): number {
  return token.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').length;
}

describe('penalty walkthrough: the numbers agree with each other', () => {
  let w: Walkthrough;
  let printed: string;
  beforeAll(async () => {
    w = await runWalkthrough();
    printed = formatWalkthrough(w);
  });

  test.each(['dense', 'conv'] as const)('%s: each loss term by hand equals model.lossBreakdown, and the terms sum to the total', (k) => {
    const l = w[k];
    expect(l.terms.map((t) => t.name)).toEqual(['data (mean squared error)', 'kernel L2', 'bias L1', 'activity L1 / batch']);
    for (const t of l.terms) expect(close(t.value, t.engine)).toBe(true);
    expect(l.total).toBeCloseTo(l.terms.reduce((s, t) => s + t.value, 0), 12);
    expect(close(l.total, l.engineTotal)).toBe(true);
  });

  test.each(['dense', 'conv'] as const)('%s: data + weight penalty + activity = engine gradient ≈ finite difference', (k) => {
    for (const r of w[k].rows) {
      const isKernel = r.weight.startsWith('kernel');
      expect(r.weightPenalty).toBeCloseTo(isKernel ? 2 * L2 * r.w : BIAS_L1 * Math.sign(r.w), 7);
      expect(r.sum).toBeCloseTo(r.data + r.weightPenalty + r.activity, 7);
      expect(Math.abs(r.sum - r.engine)).toBeLessThan(1e-6 + 1e-5 * Math.abs(r.engine));
      expect(Math.abs(r.finiteDiff - r.engine)).toBeLessThan(2e-5 + 1e-3 * Math.abs(r.engine));
      expect(r.activity).not.toBe(0); // the activity penalty really reaches every weight
    }
  });

  test('the activity term is divided by the batch: the same 4 samples twice give the same term', () => {
    expect(w.batch.sumAbs8).toBeCloseTo(2 * w.batch.sumAbs4, 4);
    expect(w.batch.term4).toBeCloseTo((ACT_L1 * w.batch.sumAbs4) / BATCH, 6);
    expect(w.batch.term8).toBeCloseTo(w.batch.term4, 6);
  });

  test('SGD: l2(λ) equals decoupled decay 2λ; Adam: l2(λ) and AdamW(2λ) differ', () => {
    const d = w.decay;
    expect(Math.abs(d.sgdL2 - d.sgdDecay)).toBeLessThan(1e-6);
    expect(d.sgdL2 - d.sgd).toBeCloseTo(-d.lr * 2 * d.lambda * d.w0, 6);
    expect(Math.abs(d.adamL2 - d.adamW)).toBeGreaterThan(1e-3);
    expect(d.adamW).toBeLessThan(d.adam); // decoupled decay shrinks this positive weight
  });

  test('custom regularizer: its penalty is the kernel term, and data + its gradient = engine ≈ finite difference', () => {
    const c = w.custom;
    expect(c.config).toEqual({ className: 'SmoothL1', config: { l1: 0.05, delta: 0.1 } });
    expect(close(c.penalty, c.engineTerm)).toBe(true);
    for (const r of c.rows) {
      expect(Math.abs(r.data + r.penaltyGrad - r.engine)).toBeLessThan(1e-6 + 1e-5 * Math.abs(r.engine));
      expect(Math.abs(r.finiteDiff - r.engine)).toBeLessThan(2e-5 + 1e-3 * Math.abs(r.engine));
    }
    // the regularizer on its own: penalty by definition, gradient by central differences
    const x = new Tensor(Float32Array.from([-0.5, -0.01, 0, 0.02, 0.3]), [5]);
    const reg = smoothL1({ l1: 0.05, delta: 0.1 });
    const expected = 0.05 * [-0.5, -0.01, 0, 0.02, 0.3].reduce((s, v) => s + Math.sqrt(v * v + 0.01) - 0.1, 0);
    expect(reg.penalty(x)).toBeCloseTo(expected, 6);
    const g = reg.gradient(x);
    expect(g.shape).toEqual([5]);
    [-0.5, -0.01, 0, 0.02, 0.3].forEach((v, i) => {
      const f = (u: number) => 0.05 * (Math.sqrt(u * u + 0.01) - 0.1);
      expect(g.data[i]).toBeCloseTo((f(v + 1e-4) - f(v - 1e-4)) / 2e-4, 5);
    });
  });

  describe('docs/penalties.md quotes exactly what the walkthrough prints', () => {
    test('every quoted block: each line matches a printed line (same text, same numbers)', () => {
      const blocks = [...DOC.matchAll(/<!-- walkthrough -->\n```text\n([\s\S]*?)```/g)].map((m) => m[1].replace(/\n$/, '').split('\n'));
      expect(blocks.length).toBe(7);
      const out = printed.split('\n');
      const lineMatches = (quoted: string, got: string | undefined, fdLast: boolean) => {
        if (got === undefined || skeleton(got) !== skeleton(quoted)) return false;
        const a = numbers(quoted), b = numbers(got);
        return a.length === b.length && a.every((v, i) => (fdLast && i === a.length - 1 ? closeFiniteDiff(v, b[i]) : close(v, b[i])));
      };
      for (const block of blocks) {
        // the block must be a contiguous run of printed lines (the same header can appear in several sections)
        const fd = block.some((l) => / finite diff$/.test(l));
        const found = out.some((_, start) => block.every((line, k) => lineMatches(line, out[start + k], fd)));
        if (!found) {
          const bad = block.find((line) => !out.some((got) => lineMatches(line, got, fd))) ?? block[0];
          throw new Error(`docs/penalties.md is stale: it quotes\n  ${bad}\nwhich a fresh run of examples/penalty-walkthrough.ts does not print (in this block). Re-run it and update the guide.`);
        }
      }
    });

    test('every number with 4+ significant digits in the prose (inline code) is a printed number', () => {
      const printedNumbers = numbers(printed);
      const prose = DOC.replace(/```[\s\S]*?```/g, '');
      const quoted = [...prose.matchAll(/`([^`\n]+)`/g)].flatMap((m) => m[1].match(NUMBER) ?? []).filter((t) => significantDigits(t) >= 4);
      expect(quoted.length).toBeGreaterThanOrEqual(10);
      for (const t of quoted) {
        if (!printedNumbers.some((p) => close(p, Number(t)))) throw new Error(`docs/penalties.md quotes ${t}, which the walkthrough does not print`);
      }
    });

    test('updateGuide rewrites a stale quoted block with the printed one and leaves the rest alone', () => {
      const blocksOf = (md: string) => [...md.matchAll(/<!-- walkthrough -->\n```text\n([\s\S]*?)```/g)].map((m) => m[1].split('\n'));
      const outside = (md: string) => md.replace(/<!-- walkthrough -->\n```text\n[\s\S]*?```/g, '');
      // a fresh guide keeps its blocks (up to float noise), in place: the dense and conv tables are not swapped
      const fresh = updateGuide(DOC, printed);
      const before = blocksOf(DOC), after = blocksOf(fresh);
      expect(after.length).toBe(before.length);
      after.forEach((block, b) => block.forEach((line, k) => {
        expect(skeleton(line)).toBe(skeleton(before[b][k]));
        numbers(line).forEach((v, i) => expect(closeFiniteDiff(v, numbers(before[b][k])[i])).toBe(true));
      }));
      expect(outside(fresh)).toBe(outside(DOC));
      // a stale number in a block is replaced by the printed one
      const stale = DOC.replace('0.0434018    0.0126734', '0.0999999    0.0126734');
      expect(stale).not.toBe(DOC);
      expect(updateGuide(stale, printed)).toBe(fresh);
      expect(() => updateGuide('<!-- walkthrough -->\n```text\nno such line 1.5\n```\n', printed)).toThrow(/no longer prints a block starting with/);
    });

    test('the custom-regularizer code in the guide is the code the walkthrough runs', () => {
      const m = /<!-- walkthrough:source -->\n```ts\n([\s\S]*?)```/.exec(DOC);
      expect(m).not.toBeNull();
      const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
      expect(norm(SOURCE)).toContain(norm(m![1]));
      expect(m![1]).toMatch(/penalty\(x: Tensor\): number/);
      expect(m![1]).toMatch(/gradient\(x: Tensor\): Tensor/);
      expect(m![1]).toMatch(/getConfig\(\)/);
    });

    test('the guide points to the module where penalties enter', () => {
      expect(DOC).toContain('lib/training/penalties.ts');
      for (const fn of ['weightPenalties', 'activityPenalty', 'addActivityGradient', 'addWeightPenaltyGradients']) {
        expect(DOC).toContain(fn);
        expect(fs.readFileSync(path.join(__dirname, '..', 'lib', 'training', 'penalties.ts'), 'utf8')).toMatch(new RegExp(`export function ${fn}\\(`));
      }
    });
  });
});
