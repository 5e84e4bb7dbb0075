/**
 * Seeded pseudo-random numbers, identical on every platform.
 *
 * Generator: mulberry32 (a 32-bit state advanced by the Weyl constant 0x6D2B79F5, then mixed with
 * two xorshift-multiply rounds). It uses only 32-bit integer arithmetic (`Math.imul`, `>>>`), so
 * the same seed gives the same sequence in every JavaScript engine. Uniform floats take the top
 * 32 bits as `u / 2^32` in [0, 1); normals use Box–Muller on two uniforms (the first mapped to
 * (0, 1] so `log` never sees 0).
 *
 * Without a seed, a generator is seeded from `Math.random()` once; with a seed, `Math.random` is
 * never touched.
 */
export class Random {
  private state: number;
  private spareNormal: number | null = null;

  constructor(seed?: number) {
    const s = seed === undefined ? Math.floor(Math.random() * 0x100000000) : seed;
    // Fold any finite number (negative, fractional, > 2^32) into 32 bits deterministically: the low
    // 32 bits of floor(s), xor the high part times an odd constant. Seeds in [0, 2^32) are used as
    // they are; the mixing keeps small negative seeds apart from small positive ones (-1 vs 0).
    const f = Math.floor(s);
    const hi = Math.floor(f / 0x100000000);
    this.state = ((f >>> 0) ^ Math.imul(hi | 0, 0x9e3779b1)) >>> 0;
  }

  /**
   * The generator's whole state (for snapshots: a failed fit() restores it, so a retry draws the
   * same dropout masks as the first attempt would have).
   */
  getState(): { state: number; spareNormal: number | null } {
    return { state: this.state, spareNormal: this.spareNormal };
  }

  /** Restores a state taken by getState(). */
  setState(s: { state: number; spareNormal: number | null }): void {
    this.state = s.state >>> 0;
    this.spareNormal = s.spareNormal;
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Standard normal (mean 0, stddev 1), Box–Muller. */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    const u1 = 1 - this.uniform(); // (0, 1]
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(arr: { length: number; [i: number]: T }): void {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = arr[i];
      arr[i] = arr[j];
      arr[j] = tmp;
    }
  }
}
