/**
 * A minimal WebAssembly module encoder: just what Ridge's kernels emit (binary format of the
 * WebAssembly 2.0 core spec + the fixed-width SIMD proposal, and relaxed SIMD's f32x4.relaxed_madd).
 *
 *   module  = magic "\0asm" · version 1 · sections in id order
 *   section = id (1 byte) · size (u32 LEB128) · contents
 *     1 type      vec(functype)       functype = 0x60 · vec(param valtype) · vec(result valtype)
 *     2 import    vec(import)         here only ("env", "memory", memory limits min = max)
 *     3 function  vec(type index)     one per defined function
 *     5 memory    (unused: the memory is imported, so JavaScript creates it once at a fixed size)
 *     7 export    vec(name · kind 0x00 · function index)
 *    10 code      vec(size · vec(locals) · body · 0x0b)
 *
 * Integers are LEB128: unsigned for sizes and indices, signed for i32.const. Every SIMD opcode is
 * the prefix 0xfd followed by its number as an unsigned LEB128. Code is built with `Code`, a
 * byte buffer with one method per instruction used; nothing here validates — the engine does when
 * the module is compiled (kernels/wasm/probe.ts checks SIMD and relaxed SIMD that way).
 */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof V128;

/** Unsigned LEB128: 7 bits per byte, low first, high bit set on every byte but the last. */
export function uleb(n: number, out: number[] = []): number[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`uleb: expected a non-negative integer, got ${n}`);
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer (two's complement, sign-extended in the last byte). */
export function sleb(n: number, out: number[] = []): number[] {
  if (!Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) throw new RangeError(`sleb: expected an int32, got ${n}`);
  n |= 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function name(s: string, out: number[]): void {
  const bytes = Array.from(s, (ch) => {
    const c = ch.charCodeAt(0);
    if (c > 0x7f) throw new RangeError(`encoder: names are ASCII here, got ${JSON.stringify(s)}`);
    return c;
  });
  uleb(bytes.length, out);
  out.push(...bytes);
}

/** log2 of the natural alignment, as memarg wants it. */
const ALIGN = { 4: 2, 16: 4 } as const;

/**
 * One function body under construction: locals are declared up front (`local(type)` returns the
 * index; parameters come first), then instructions append bytes. Memory offsets are byte offsets
 * folded into the memarg (unsigned, so only for non-negative displacements).
 */
export class Code {
  readonly bytes: number[] = [];
  /** Declared locals (beyond the parameters), in order. */
  readonly locals: ValType[] = [];
  constructor(readonly params: readonly ValType[], readonly results: readonly ValType[] = []) {}

  /** A new local of `type`; its index follows the parameters. */
  local(type: ValType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  private op(...b: number[]): this { this.bytes.push(...b); return this; }
  private simd(opcode: number): this { this.bytes.push(0xfd); uleb(opcode, this.bytes); return this; }
  private memarg(align: number, offset: number): this { uleb(align, this.bytes); uleb(offset, this.bytes); return this; }

  // control
  block(): this { return this.op(0x02, 0x40); }
  loop(): this { return this.op(0x03, 0x40); }
  if_(): this { return this.op(0x04, 0x40); }
  else_(): this { return this.op(0x05); }
  end(): this { return this.op(0x0b); }
  br(depth: number): this { this.op(0x0c); uleb(depth, this.bytes); return this; }
  brIf(depth: number): this { this.op(0x0d); uleb(depth, this.bytes); return this; }
  return_(): this { return this.op(0x0f); }
  drop(): this { return this.op(0x1a); }

  // locals
  get(i: number): this { this.op(0x20); uleb(i, this.bytes); return this; }
  set(i: number): this { this.op(0x21); uleb(i, this.bytes); return this; }
  tee(i: number): this { this.op(0x22); uleb(i, this.bytes); return this; }

  // i32
  i32(v: number): this { this.op(0x41); sleb(v, this.bytes); return this; }
  i32Eqz(): this { return this.op(0x45); }
  i32Eq(): this { return this.op(0x46); }
  i32Ne(): this { return this.op(0x47); }
  i32LtS(): this { return this.op(0x48); }
  i32LtU(): this { return this.op(0x49); }
  i32GtS(): this { return this.op(0x4a); }
  i32GeU(): this { return this.op(0x4f); }
  i32GeS(): this { return this.op(0x4e); }
  i32DivS(): this { return this.op(0x6d); }
  i32DivU(): this { return this.op(0x6e); }
  i32RemU(): this { return this.op(0x70); }
  /** select: [a, b, cond] → cond ≠ 0 ? a : b */
  select(): this { return this.op(0x1b); }
  i32And(): this { return this.op(0x71); }
  i32Add(): this { return this.op(0x6a); }
  i32Sub(): this { return this.op(0x6b); }
  i32Mul(): this { return this.op(0x6c); }
  i32Shl(): this { return this.op(0x74); }
  i32ShrU(): this { return this.op(0x76); }

  // i32 / f32 scalar memory
  i32Load(offset = 0): this { this.op(0x28); return this.memarg(ALIGN[4], offset); }
  i32Store(offset = 0): this { this.op(0x36); return this.memarg(ALIGN[4], offset); }
  f32Load(offset = 0): this { this.op(0x2a); return this.memarg(ALIGN[4], offset); }
  f32Store(offset = 0): this { this.op(0x38); return this.memarg(ALIGN[4], offset); }
  /** f32.const: the value rounded to float32, little-endian. */
  f32Const(v: number): this {
    this.op(0x43);
    const b = new Uint8Array(new Float32Array([v]).buffer);
    for (let i = 0; i < 4; i++) this.bytes.push(b[i]);
    return this;
  }
  f32Lt(): this { return this.op(0x5d); }
  f32Gt(): this { return this.op(0x5e); }
  f32Add(): this { return this.op(0x92); }
  f32Mul(): this { return this.op(0x94); }
  f64ConvertI32U(): this { return this.op(0xb8); }

  // v128
  v128Load(offset = 0): this { this.simd(0x00); return this.memarg(ALIGN[16], offset); }
  v128Load32Splat(offset = 0): this { this.simd(0x09); return this.memarg(ALIGN[4], offset); }
  v128Store(offset = 0): this { this.simd(0x0b); return this.memarg(ALIGN[16], offset); }
  /** v128.const with all 16 bytes zero. */
  v128Zero(): this { this.simd(0x0c); for (let i = 0; i < 16; i++) this.bytes.push(0); return this; }
  /** i8x16.shuffle of the two v128 on the stack by 16 byte indices (0–15 first operand, 16–31 second). */
  i8x16Shuffle(lanes: readonly number[]): this {
    if (lanes.length !== 16) throw new RangeError('i8x16.shuffle takes 16 lane indices');
    this.simd(0x0d);
    this.bytes.push(...lanes);
    return this;
  }
  /** i8x16.shuffle picking four f32 lanes (0–3 first operand, 4–7 second). */
  f32x4Shuffle(l0: number, l1: number, l2: number, l3: number): this {
    const lanes: number[] = [];
    for (const l of [l0, l1, l2, l3]) for (let b = 0; b < 4; b++) lanes.push(4 * l + b);
    return this.i8x16Shuffle(lanes);
  }
  /** v128.const of four i32 lanes. */
  i32x4Const(l0: number, l1: number, l2: number, l3: number): this {
    this.simd(0x0c);
    for (const v of [l0, l1, l2, l3]) for (let b = 0; b < 4; b++) this.bytes.push((v >>> (8 * b)) & 0xff);
    return this;
  }
  i32x4Splat(): this { return this.simd(0x11); }
  i32x4LtS(): this { return this.simd(0x39); }
  i32x4ExtractLane(lane: number): this { this.simd(0x1b); this.bytes.push(lane); return this; }
  f32x4Splat(): this { return this.simd(0x13); }
  f64x2Splat(): this { return this.simd(0x14); }
  f32x4ExtractLane(lane: number): this { this.simd(0x1f); this.bytes.push(lane); return this; }
  f32x4Eq(): this { return this.simd(0x41); }
  f32x4Lt(): this { return this.simd(0x43); }
  f32x4Gt(): this { return this.simd(0x44); }
  f32x4Le(): this { return this.simd(0x45); }
  v128And(): this { return this.simd(0x4e); }
  /** v128.andnot: a & ~b */
  v128AndNot(): this { return this.simd(0x4f); }
  /** v128.bitselect: [a, b, mask] → (a & mask) | (b & ~mask), bit by bit (NaN payloads kept). */
  v128Bitselect(): this { return this.simd(0x52); }
  /** f32x4.demote_f64x2_zero: [a0, a1] → [f32(a0), f32(a1), 0, 0] (each rounded once). */
  f32x4DemoteF64x2Zero(): this { return this.simd(0x5e); }
  /** f64x2.promote_low_f32x4: lanes 0 and 1 of an f32x4 → f64x2 (exact). */
  f64x2PromoteLowF32x4(): this { return this.simd(0x5f); }
  f32x4Add(): this { return this.simd(0xe4); }
  f32x4Sub(): this { return this.simd(0xe5); }
  f32x4Mul(): this { return this.simd(0xe6); }
  f32x4Max(): this { return this.simd(0xe9); }
  f64x2Add(): this { return this.simd(0xf0); }
  f64x2Div(): this { return this.simd(0xf3); }
  /** relaxed SIMD: a·b + c, fused or not (the engine's choice); valid only where relaxed SIMD is. */
  f32x4RelaxedMadd(): this { return this.simd(0x105); }
}

export interface FunctionDef { name: string; code: Code }

/**
 * A module importing one memory ("env", "memory", `pages` 64-KiB pages, maximum = minimum: it can
 * never grow, so its buffer is never detached) and exporting every function by name.
 */
export function encodeModule(memoryPages: number, functions: readonly FunctionDef[]): Uint8Array<ArrayBuffer> {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const section = (id: number, body: number[]): void => {
    out.push(id);
    uleb(body.length, out);
    for (const b of body) out.push(b);
  };
  // type section: one function type per function (duplicates are legal and keep indices simple)
  const types: number[] = [];
  uleb(functions.length, types);
  for (const { code } of functions) {
    types.push(0x60);
    uleb(code.params.length, types); types.push(...code.params);
    uleb(code.results.length, types); types.push(...code.results);
  }
  section(1, types);
  const imports: number[] = [];
  uleb(1, imports);
  name('env', imports); name('memory', imports);
  imports.push(0x02, 0x01); uleb(memoryPages, imports); uleb(memoryPages, imports);
  section(2, imports);
  const funcs: number[] = [];
  uleb(functions.length, funcs);
  functions.forEach((_, i) => uleb(i, funcs));
  section(3, funcs);
  const exports: number[] = [];
  uleb(functions.length, exports);
  functions.forEach((f, i) => { name(f.name, exports); exports.push(0x00); uleb(i, exports); });
  section(7, exports);
  const codes: number[] = [];
  uleb(functions.length, codes);
  for (const { code } of functions) {
    const body: number[] = [];
    // locals, run-length grouped by type
    const locals = code.locals;
    const groups: [number, ValType][] = [];
    for (const t of locals) {
      const last = groups[groups.length - 1];
      if (last !== undefined && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    uleb(groups.length, body);
    for (const [count, t] of groups) { uleb(count, body); body.push(t); }
    body.push(...code.bytes, 0x0b);
    uleb(body.length, codes);
    codes.push(...body);
  }
  section(10, codes);
  return new Uint8Array(out);
}
