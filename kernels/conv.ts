/**
 * Convolution of rank 1, 2 or 3 (all stored as 3-D, see conv-geometry.ts) as GEMM over tiles of
 * the patch matrix, with packing fused into the patch gathering.
 *
 *   x  [batch, inD, inH, inW, inC]     w  [kD, kH, kW, inC, outC]     y  [batch, outD, outH, outW, outC]
 *
 * With channels-last data and Keras kernels, w already is a K×N matrix (K = kD·kH·kW·inC,
 * N = outC) and y an M×N matrix (M = batch·outD·outH·outW). Row m of the patch matrix P[M×K]
 * holds the K input values output position m reads (zeros where it reads padding):
 *
 *   forward          Y[M×N]  = P[M×K] · W[K×N]  (+ bias on every row)
 *   backprop-filter  dW[K×N] = Σ over row tiles  Pᵀ[K×T] · dY[T×N]
 *   backprop-input   dP[T×K] = dY[T×N] · Wᵀ[N×K] per row tile, then every entry of dP is added back
 *                    into the dx position it was read from (col2im)
 *   bias gradient    db[N]   = column sums of dY
 *
 * Every product runs through one register-blocked microkernel (convMicro4x4) over operands packed
 * into float64 panels (a float64 load is ~1.4× cheaper in the inner loop than a float32 one) that
 * live in two fixed 2 MiB module-level constants, WS_A and WS_B (see there for why constants).
 * P is never built for the whole batch: a tile of rows at a time is gathered straight into the
 * packed layout, so a call's temporary memory is bounded independently of the batch
 * (convWorkspaceBytes: what a call uses of WS_A/WS_B plus a few small growable buffers). A 1×1,
 * stride-1, unpadded convolution is a plain GEMM: its "gather" is the contiguous copy of x rows
 * that GEMM's packing would do anyway. kernels/gemm.ts is called only for plans too big for the
 * constants (enormous patch widths): gathering straight into the packed panels saves a pass, and
 * the Winograd routes run several GEMMs over one gathered tile.
 *
 * Routes, chosen per call from the geometry (all measured faster on this machine than the plain
 * GEMM route for the shapes they take):
 *
 *   forward         kW = 3, strideW = 1, dilW = 1   Winograd F(4,3) along W (outW ≥ 8): 6 GEMMs of
 *                                                   depth K/3 per 4 outputs instead of 12 (≈ 1.9×),
 *                                                   else F(2,3): 4 per output pair instead of 6 (≈ 1.45×)
 *                   kW = 3, strideW = 2, dilW = 1   polyphase: 5 GEMMs of depth K/3 per pair (≈ 1.2×)
 *                   otherwise                       Y = P·W over gathered tiles
 *   backprop-input  every stride 1, inC ≥ 4         a forward conv of dy with the flipped kernel, so
 *                                                   the Winograd route applies and nothing scatters
 *                   K ≤ 12 (inC = 1 first layers)   dP = dY·Wᵀ reading dY in place, then col2im
 *                   otherwise                       dP = dY·Wᵀ over tiles, then col2im
 *   backprop-filter kW = 3, strideW = 1, dilW = 1   transposed Winograd along W: F(4,3) for rows ≥ 8
 *                                                   wide, else F(2,3) (kernel-sized buffers ≤ 8 MiB)
 *                   K ≤ 12                          Pᵀ·dY reading both in place
 *                   otherwise                       dW = Σ Pᵀ·dY over tiles
 * The Winograd routes only need the W axis to qualify: any D/H kernel, stride, dilation, any rank.
 * Their rounding differs from the direct sum by a few float32 ulps (measured ≤ 3e-7 relative), and
 * since they combine a tile's inputs before multiplying, an Infinity or NaN in x reaches every
 * output of its 2- or 4-wide tile (an Infinity may surface as NaN); other tiles are untouched.
 */
import { ConvGeometry } from './conv-geometry';
import { gemm } from './gemm';

/** Microkernel rows (output positions, or kernel rows for the filter gradient). */
const MR = 4;
/** Microkernel columns (output channels, or patch columns for the input gradient). */
const NR = 4;
/** Bytes of the packed patch tile (L2-resident while every W panel streams past it). */
const A_BYTES = 256 * 1024;
/** Bytes of a packed block of W or Wᵀ. */
const B_BYTES = 1024 * 1024;

/**
 * The packed panels live in two module-level `const` Float64Arrays of fixed size, read by the
 * microkernels directly (not passed in): TurboFan then embeds their base and length as constants,
 * with no map check or length reload per load — measured ≈ 1.2× on the whole convolution (the
 * GEMM engineer found 1.3× on the microkernel alone). A call whose plan does not fit them (only
 * enormous patch widths or channel counts) takes the GEMM route (kernels/gemm.ts) instead.
 */
const WS_A = new Float64Array(1 << 18); // 2 MiB: the A operand (gathered patches, dY panels, Pᵀ)
const WS_B = new Float64Array(1 << 18); // 2 MiB: the B operand (W, Wᵀ, Winograd U, dY panels)

// Other module-level workspaces: grown by replacing them (never detached, never shrunk).
let wsP = new Float32Array(0);
const edge = new Float64Array(MR * NR);
/** The bias of convMicro4x4 calls that have none. */
const ZERO_BIAS = new Float64Array(NR);
/** A forward call's bias as float64, zero-padded to whole NR panels. */
let wsBias = new Float64Array(0);

/** WS_A, for a plan already checked with fits(). */
function bufA(n: number): Float64Array {
  if (n > WS_A.length) throw new Error(`conv: internal: A workspace of ${n} doubles requested`);
  return WS_A;
}
/** WS_B, for a plan already checked with fits(). */
function bufB(n: number): Float64Array {
  if (n > WS_B.length) throw new Error(`conv: internal: B workspace of ${n} doubles requested`);
  return WS_B;
}
/** Whether a plan's A and B operands (in doubles) fit the constant workspaces. */
function fits(a: number, b: number): boolean {
  return a <= WS_A.length && b <= WS_B.length;
}
function bufP(n: number): Float32Array {
  if (wsP.length < n) wsP = new Float32Array(n);
  return wsP;
}

const roundUp = (v: number, m: number): number => Math.ceil(v / m) * m;

function patchK(g: ConvGeometry): number {
  return g.kD * g.kH * g.kW * g.inC;
}

function outRows(g: ConvGeometry): number {
  return g.batch * g.outD * g.outH * g.outW;
}

/** First kernel tap k ≥ 0 with start + k·dil ≥ 0. */
function firstTap(start: number, dil: number): number {
  return start >= 0 ? 0 : Math.ceil(-start / dil);
}

/** One past the last kernel tap k < kernel with start + k·dil < size (≤ 0 when none). */
function endTap(start: number, dil: number, size: number, kernel: number): number {
  return start >= size ? 0 : Math.min(kernel, Math.ceil((size - start) / dil));
}

/**
 * convMicro4x4:  C[4×4] = Apanel[4×kc] · Bpanel[kc×4] + row(bias)   or   C[4×4] += A · B
 *
 *   A:  WS_A[aI + 4p + i] = A(i, p)     B:  WS_B[bI + 4p + j] = B(p, j)
 *   c:  C(i, j) = c[cI + i·cRs + j]      only the top-left mr×nr of the tile is written
 *   bias (assignment only): bias[biasI + j] is added to column j (ZERO_BIAS when there is none)
 *
 * Sixteen accumulators live in locals; the panels are zero-padded, so the loop never branches.
 */
function convMicro4x4(
  kc: number, aI: number, bI: number,
  c: Float32Array, cI: number, cRs: number, mr: number, nr: number, accumulate: boolean,
  bias: Float64Array, biasI: number,
): void {
  const a = WS_A, b = WS_B;
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = a[aI], a1 = a[aI + 1], a2 = a[aI + 2], a3 = a[aI + 3];
    const b0 = b[bI], b1 = b[bI + 1], b2 = b[bI + 2], b3 = b[bI + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    aI += 4;
    bI += 4;
  }
  if (mr === 4 && nr === 4) {
    const r0 = cI, r1 = cI + cRs, r2 = r1 + cRs, r3 = r2 + cRs;
    if (accumulate) {
      c[r0] += c00; c[r0 + 1] += c01; c[r0 + 2] += c02; c[r0 + 3] += c03;
      c[r1] += c10; c[r1 + 1] += c11; c[r1 + 2] += c12; c[r1 + 3] += c13;
      c[r2] += c20; c[r2 + 1] += c21; c[r2 + 2] += c22; c[r2 + 3] += c23;
      c[r3] += c30; c[r3 + 1] += c31; c[r3 + 2] += c32; c[r3 + 3] += c33;
    } else {
      const e0 = bias[biasI], e1 = bias[biasI + 1], e2 = bias[biasI + 2], e3 = bias[biasI + 3];
      c[r0] = c00 + e0; c[r0 + 1] = c01 + e1; c[r0 + 2] = c02 + e2; c[r0 + 3] = c03 + e3;
      c[r1] = c10 + e0; c[r1 + 1] = c11 + e1; c[r1 + 2] = c12 + e2; c[r1 + 3] = c13 + e3;
      c[r2] = c20 + e0; c[r2 + 1] = c21 + e1; c[r2 + 2] = c22 + e2; c[r2 + 3] = c23 + e3;
      c[r3] = c30 + e0; c[r3 + 1] = c31 + e1; c[r3 + 2] = c32 + e2; c[r3 + 3] = c33 + e3;
    }
    return;
  }
  const t = edge;
  t[0] = c00; t[1] = c01; t[2] = c02; t[3] = c03;
  t[4] = c10; t[5] = c11; t[6] = c12; t[7] = c13;
  t[8] = c20; t[9] = c21; t[10] = c22; t[11] = c23;
  t[12] = c30; t[13] = c31; t[14] = c32; t[15] = c33;
  for (let i = 0; i < mr; i++) {
    const row = cI + i * cRs;
    for (let j = 0; j < nr; j++) {
      if (accumulate) c[row + j] += t[i * 4 + j];
      else c[row + j] = t[i * 4 + j] + bias[biasI + j];
    }
  }
}

/**
 * packRowsB:  columns [j0, j0 + nc) of a row-major matrix src[rows×ld] (rows p = 0 … kc−1 from
 * row p0) → NR-column panels, each p-major:  dst[jp·kc·4 + 4p + j] = src[(p0 + p)·ld + j0 + 4jp + j].
 * Columns past nc are zero.
 *
 *   src rows ─►  panel 0: [p0: j0 j1 j2 j3 | p1: j0 j1 j2 j3 | …]   panel 1: [ … ]
 */
function packRowsB(src: Float32Array, p0: number, kc: number, ld: number, j0: number, nc: number, dst: Float64Array): void {
  for (let jp = 0; jp * NR < nc; jp++) {
    const nr = Math.min(NR, nc - jp * NR);
    const panel = jp * kc * NR;
    for (let p = 0; p < kc; p++) {
      const s = (p0 + p) * ld + j0 + jp * NR, d = panel + p * NR;
      if (nr === NR) {
        dst[d] = src[s]; dst[d + 1] = src[s + 1]; dst[d + 2] = src[s + 2]; dst[d + 3] = src[s + 3];
      } else {
        for (let j = 0; j < NR; j++) dst[d + j] = j < nr ? src[s + j] : 0;
      }
    }
  }
}

/**
 * packColsB:  B = the transpose of rows [j0, j0 + nc) of src[·×ld], restricted to columns
 * [p0, p0 + kc):  dst[jp·kc·4 + 4p + j] = src[(j0 + 4jp + j)·ld + p0 + p]; columns past nc are zero.
 * (Wᵀ for the input gradient: B(co, k) = w[k, co].)
 */
function packColsB(src: Float32Array, p0: number, kc: number, ld: number, j0: number, nc: number, dst: Float64Array): void {
  for (let jp = 0; jp * NR < nc; jp++) {
    const nr = Math.min(NR, nc - jp * NR);
    const panel = jp * kc * NR;
    for (let j = 0; j < NR; j++) {
      let d = panel + j;
      if (j < nr) {
        let s = (j0 + jp * NR + j) * ld + p0;
        for (let p = 0; p < kc; p++) { dst[d] = src[s]; d += NR; s++; }
      } else {
        for (let p = 0; p < kc; p++) { dst[d] = 0; d += NR; }
      }
    }
  }
}

/**
 * gatherPatchPanels (im2col fused with packing):  rows [m0, m0 + rows) of P → MR-row panels,
 * each k-major:  dst[(r >> 2)·K·4 + 4k + (r & 3)] = P[m0 + r, k]; padding and the rows past
 * `rows` in the last panel are zero.
 *
 *   P row r:  [ kd=0: [ kh=0: [ kw=0: ci 0…inC−1 | kw=1: … ] | kh=1 … ] | kd=1 … ]
 *   panel:    [k=0: r0 r1 r2 r3 | k=1: r0 r1 r2 r3 | …]
 */
function gatherPatchPanels(g: ConvGeometry, x: Float32Array, m0: number, rows: number, dst: Float64Array): void {
  const { inD, inH, inW, inC, outD, outH, outW, kD, kH, kW } = g;
  const { strideD, strideH, strideW, dilD, dilH, dilW, padFront, padTop, padLeft } = g;
  const k = kD * kH * kW * inC;
  const stepD = kH * kW * inC * MR, stepH = kW * inC * MR, stepW = inC * MR;
  let ow = m0 % outW;
  let t = (m0 - ow) / outW;
  let oh = t % outH;
  t = (t - oh) / outH;
  let od = t % outD;
  let b = (t - od) / outD;
  for (let r = 0; r < rows; r++) {
    const row = (r >> 2) * k * MR + (r & 3);
    const d0 = od * strideD - padFront, h0 = oh * strideH - padTop, w0 = ow * strideW - padLeft;
    const kdLo = firstTap(d0, dilD), kdHi = endTap(d0, dilD, inD, kD);
    const khLo = firstTap(h0, dilH), khHi = endTap(h0, dilH, inH, kH);
    const kwLo = firstTap(w0, dilW), kwHi = endTap(w0, dilW, inW, kW);
    if (!(kdLo === 0 && kdHi === kD && khLo === 0 && khHi === kH && kwLo === 0 && kwHi === kW)) {
      for (let i = 0, d = row; i < k; i++, d += MR) dst[d] = 0;
    }
    for (let kd = kdLo; kd < kdHi; kd++) {
      const xD = (b * inD + d0 + kd * dilD) * inH;
      const pD = row + kd * stepD;
      for (let kh = khLo; kh < khHi; kh++) {
        const xH = (xD + h0 + kh * dilH) * inW;
        const pH = pD + kh * stepH;
        if (dilW === 1) {
          // the valid kw taps are one contiguous run of (kwHi − kwLo)·inC values in x
          let s = (xH + w0 + kwLo) * inC, d = pH + kwLo * stepW;
          const end = s + (kwHi - kwLo) * inC;
          for (; s < end; s++, d += MR) dst[d] = x[s];
        } else {
          for (let kw = kwLo; kw < kwHi; kw++) {
            let s = (xH + w0 + kw * dilW) * inC, d = pH + kw * stepW;
            const end = s + inC;
            for (; s < end; s++, d += MR) dst[d] = x[s];
          }
        }
      }
    }
    if (++ow === outW) {
      ow = 0;
      if (++oh === outH) {
        oh = 0;
        if (++od === outD) { od = 0; b++; }
      }
    }
  }
  // rows past the end of the last panel read as zero
  for (let r = rows; r & 3; r++) {
    const row = (r >> 2) * k * MR + (r & 3);
    for (let i = 0, d = row; i < k; i++, d += MR) dst[d] = 0;
  }
}

/**
 * im2col / col2im of rows [m0, m0 + rows) of the patch matrix, row-major p[r·K + k].
 * scatter = false:  p[r, :] = the patch of output position m0 + r (zeros in the padding)
 * scatter = true:   x[the patch of m0 + r] += p[r, :]   (padding entries dropped)
 */
function patchRows(g: ConvGeometry, x: Float32Array, m0: number, rows: number, p: Float32Array, scatter: boolean): void {
  const { inD, inH, inW, inC, outD, outH, outW, kD, kH, kW } = g;
  const { strideD, strideH, strideW, dilD, dilH, dilW, padFront, padTop, padLeft } = g;
  const k = kD * kH * kW * inC;
  const rowD = kH * kW * inC, rowH = kW * inC;
  let ow = m0 % outW;
  let t = (m0 - ow) / outW;
  let oh = t % outH;
  t = (t - oh) / outH;
  let od = t % outD;
  let b = (t - od) / outD;
  for (let r = 0; r < rows; r++) {
    const pRow = r * k;
    const d0 = od * strideD - padFront, h0 = oh * strideH - padTop, w0 = ow * strideW - padLeft;
    const kdLo = firstTap(d0, dilD), kdHi = endTap(d0, dilD, inD, kD);
    const khLo = firstTap(h0, dilH), khHi = endTap(h0, dilH, inH, kH);
    const kwLo = firstTap(w0, dilW), kwHi = endTap(w0, dilW, inW, kW);
    if (!scatter && !(kdLo === 0 && kdHi === kD && khLo === 0 && khHi === kH && kwLo === 0 && kwHi === kW)) {
      p.fill(0, pRow, pRow + k);
    }
    for (let kd = kdLo; kd < kdHi; kd++) {
      const xD = (b * inD + d0 + kd * dilD) * inH;
      const pD = pRow + kd * rowD;
      for (let kh = khLo; kh < khHi; kh++) {
        const xH = (xD + h0 + kh * dilH) * inW;
        const pH = pD + kh * rowH;
        if (dilW === 1) {
          const xs = (xH + w0 + kwLo) * inC, ps = pH + kwLo * inC, n = (kwHi - kwLo) * inC;
          if (scatter) for (let i = 0; i < n; i++) x[xs + i] += p[ps + i];
          else for (let i = 0; i < n; i++) p[ps + i] = x[xs + i];
        } else {
          for (let kw = kwLo; kw < kwHi; kw++) {
            const xs = (xH + w0 + kw * dilW) * inC, ps = pH + kw * inC;
            if (scatter) for (let ci = 0; ci < inC; ci++) x[xs + ci] += p[ps + ci];
            else for (let ci = 0; ci < inC; ci++) p[ps + ci] = x[xs + ci];
          }
        }
      }
    }
    if (++ow === outW) {
      ow = 0;
      if (++oh === outH) {
        oh = 0;
        if (++od === outD) { od = 0; b++; }
      }
    }
  }
}

/**
 * packPatchTransposed:  row-major p[rows×K] → the A operand of dW = Pᵀ·dY, MR-row panels over K,
 * each p-major:  dst[(k >> 2)·rows·4 + 4r + (k & 3)] = p[r·K + k]; rows of A past K are zero.
 */
function packPatchTransposed(p: Float32Array, rows: number, k: number, dst: Float64Array): void {
  for (let kp = 0; kp * MR < k; kp++) {
    const mr = Math.min(MR, k - kp * MR);
    const panel = kp * rows * MR;
    for (let r = 0; r < rows; r++) {
      const s = r * k + kp * MR, d = panel + r * MR;
      if (mr === MR) {
        dst[d] = p[s]; dst[d + 1] = p[s + 1]; dst[d + 2] = p[s + 2]; dst[d + 3] = p[s + 3];
      } else {
        for (let i = 0; i < MR; i++) dst[d + i] = i < mr ? p[s + i] : 0;
      }
    }
  }
}

// ── tiling plans (shared by the kernels and convWorkspaceBytes) ────────────────────────────────

interface ForwardPlan { tile: number; nc: number }
/** Forward: `tile` rows of P per gather (a multiple of MR), `nc` output channels per packed W block. */
function forwardPlan(g: ConvGeometry): ForwardPlan {
  const k = patchK(g), m = outRows(g);
  const tile = Math.min(roundUp(m, MR), MR * Math.max(1, Math.floor(A_BYTES / (8 * k * MR))));
  const nc = Math.min(g.outC, NR * Math.max(1, Math.floor(B_BYTES / (8 * k * NR))));
  return { tile, nc };
}

interface InputPlan { tile: number; nc: number; kb: number }
/** Input gradient: `tile` rows of dY, `nc` output channels (the inner dimension) per Wᵀ block. */
function inputPlan(g: ConvGeometry): InputPlan {
  const k = patchK(g), n = g.outC, m = outRows(g);
  const nc = Math.min(n, Math.max(1, Math.floor(B_BYTES / (8 * roundUp(k, NR)))));
  const tile = Math.min(roundUp(m, MR), MR * Math.max(1, Math.floor(A_BYTES / ((8 * nc + 4 * k) * MR))));
  return { tile, nc, kb: roundUp(k, NR) };
}

/** Filter gradient: `tile` rows of P and dY per step (the inner dimension of Pᵀ·dY). */
function filterPlan(g: ConvGeometry): number {
  const k = patchK(g), n = g.outC, m = outRows(g);
  return Math.min(m, Math.max(MR, Math.floor(B_BYTES / (4 * k + 8 * roundUp(k, MR) + 8 * roundUp(n, NR)))));
}

/**
 * convForward:  y[M×N] = P[M×K] · W[K×N] + bias
 *
 *   for each tile of `tile` output positions:   gather P tile → packed A (MR-row panels)
 *     for each block of nc output channels:     (pack W block → NR-column panels, once if N fits)
 *       for each A panel (4 positions):  for each W panel (4 channels):  convMicro4x4 over all K
 */
export function convForward(g: ConvGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array): void {
  const n = g.outC, k = patchK(g), m = outRows(g);
  if (m === 0) return;
  const route = forwardRoute(g);
  if (route === 'winograd4') {
    convForwardWinogradW4(g, x, w, bias, y);
    return;
  }
  if (route === 'winograd2') {
    convForwardWinogradW(g, x, w, bias, y);
    return;
  }
  if (route === 'gemm') {
    convForwardGemm(g, x, w, bias, y);
    return;
  }
  const { tile, nc } = forwardPlan(g);
  const a = bufA(tile * k), bw = bufB(k * roundUp(nc, NR));
  let bv = ZERO_BIAS;
  if (bias !== null) {
    if (wsBias.length < roundUp(n, NR)) wsBias = new Float64Array(roundUp(n, NR));
    bv = wsBias;
    for (let co = 0; co < n; co++) bv[co] = bias[co];
  }
  const oneBlock = nc === n;
  if (oneBlock) packRowsB(w, 0, k, n, 0, n, bw);
  for (let m0 = 0; m0 < m; m0 += tile) {
    const rows = Math.min(tile, m - m0);
    gatherPatchPanels(g, x, m0, rows, a);
    for (let j0 = 0; j0 < n; j0 += nc) {
      const ncb = Math.min(nc, n - j0);
      if (!oneBlock) packRowsB(w, 0, k, n, j0, ncb, bw);
      for (let ip = 0; ip * MR < rows; ip++) {
        const mr = Math.min(MR, rows - ip * MR);
        const aI = ip * k * MR, yRow = (m0 + ip * MR) * n + j0;
        for (let jp = 0; jp * NR < ncb; jp++) {
          convMicro4x4(k, aI, jp * k * NR, y, yRow + jp * NR, n, mr, Math.min(NR, ncb - jp * NR), false, bv, bias === null ? 0 : j0 + jp * NR);
        }
      }
    }
  }
}

// ── Winograd F(2,3) along the width axis ────────────────────────────────────────────────────────

/** Winograd along W pays when the width taps are 3 wide, unstrided and undilated (any D/H geometry). */
function useWinogradW(g: ConvGeometry): boolean {
  return g.kW === 3 && g.strideW === 1 && g.dilW === 1 && g.outW >= 2 && g.kD * g.kH * g.inC >= 8;
}

/** The stride-2 variant (forward only): even taps by F(2,2), the odd tap directly — 5 products per pair, not 6. */
function useWinogradW2(g: ConvGeometry): boolean {
  return g.kW === 3 && g.strideW === 2 && g.dilW === 1 && g.outW >= 2 && g.kD * g.kH * g.inC >= 8;
}

interface WinogradPlan { tile: number; nc: number }
/** `tile` output pairs per step (a multiple of MR), `nc` output channels per transformed-W block. */
function winogradPlan(g: ConvGeometry): WinogradPlan {
  const kq = g.kD * g.kH * g.inC;
  const pairs = g.batch * g.outD * g.outH * Math.ceil(g.outW / 2);
  const transforms = g.strideW === 2 ? 5 : 4;
  const nc = Math.min(g.outC, NR * Math.max(1, Math.floor(B_BYTES / (4 * 8 * kq * NR))));
  // the gathered V_t (float64) and the products M_t (float32) both stay within A_BYTES
  const perPair = transforms * (8 * kq + 4 * nc);
  const tile = Math.min(roundUp(pairs, MR), MR * Math.max(1, Math.floor(A_BYTES / (perPair * MR))));
  return { tile, nc };
}

/**
 * convForwardWinogradW:  y = conv(x, w) for kW = 3, strideW = 1, dilW = 1, computing the outputs in
 * pairs along W with Winograd's F(2,3): 4 multiplications per pair and tap row instead of 6.
 *
 *   input  d0 d1 d2 d3 (x at iw0 … iw0+3)     taps  g0 g1 g2 (w at kw = 0, 1, 2)
 *   v = [d0 − d2,  d1 + d2,  d2 − d1,  d1 − d3]
 *   u = [g0,  (g0 + g1 + g2)/2,  (g0 − g1 + g2)/2,  g2]
 *   m_t = Σ_{kd, kh, ci} v_t · u_t        (four GEMMs, K' = kD·kH·inC: Mt[pairs×N] = Vt · Ut)
 *   y[ow0] = m0 + m1 + m2,   y[ow0 + 1] = m1 − m2 − m3
 *
 *   for each tile of output pairs:  gather V0…V3 (MR-pair panels, k' = (kd·kH + kh)·inC + ci)
 *     for each block of nc channels:  (U0…U3 packed once if N fits)
 *       M_t = V_t · U_t  (convMicro4x4), then y from the four M_t (+ bias)
 *
 * strideW = 2 (polyphase): the pair reads five columns c0…c4 (x at 4·pair − padLeft + j);
 *   y[ow0] = c0·g0 + c1·g1 + c2·g2,  y[ow0 + 1] = c2·g0 + c3·g1 + c4·g2.  The even taps are F(2,2):
 *   v = [c0 − c2,  c2,  c4 − c2,  c1,  c3]     u = [g0,  g0 + g2,  g2,  g1,  g1]
 *   y[ow0] = m0 + m1 + m3,   y[ow0 + 1] = m1 + m2 + m4      (five GEMMs; V4 shares U3)
 */
function convForwardWinogradW(g: ConvGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array): void {
  const n = g.outC, kq = g.kD * g.kH * g.inC;
  const pairsPerRow = Math.ceil(g.outW / 2);
  const pairs = g.batch * g.outD * g.outH * pairsPerRow;
  const { tile, nc } = winogradPlan(g);
  const stride2 = g.strideW === 2, transforms = stride2 ? 5 : 4;
  const aLen = tile * kq, bLen = kq * roundUp(nc, NR);
  const a = bufA(transforms * aLen), bu = bufB(4 * bLen), mb = bufP(transforms * tile * nc);
  const oneBlock = nc === n;
  if (oneBlock) packWinogradU(g, w, 0, n, bu, bLen);
  for (let q0 = 0; q0 < pairs; q0 += tile) {
    const rows = Math.min(tile, pairs - q0);
    if (stride2) gatherWinogradV2(g, x, q0, rows, a, aLen);
    else gatherWinogradV(g, x, q0, rows, a, aLen);
    for (let j0 = 0; j0 < n; j0 += nc) {
      const ncb = Math.min(nc, n - j0);
      if (!oneBlock) packWinogradU(g, w, j0, ncb, bu, bLen);
      const mLen = rows * ncb;
      for (let ip = 0; ip * MR < rows; ip++) {
        const mr = Math.min(MR, rows - ip * MR);
        for (let t = 0; t < transforms; t++) {
          const aI = t * aLen + ip * kq * MR, mRow = t * mLen + ip * MR * ncb;
          const uI = (t === 4 ? 3 : t) * bLen;
          for (let jp = 0; jp * NR < ncb; jp++) {
            convMicro4x4(kq, aI, uI + jp * kq * NR, mb, mRow + jp * NR, ncb, mr, Math.min(NR, ncb - jp * NR), false, ZERO_BIAS, 0);
          }
        }
      }
      winogradOutput(g, q0, rows, j0, ncb, mb, bias, y);
    }
  }
}

/**
 * packWinogradU:  U_t for output channels [j0, j0 + nc) → NR-column panels per t:
 *   dst[t·bLen + jp·K'·4 + 4k' + j] = u_t(k', j0 + 4jp + j); columns past nc are zero.
 */
function packWinogradU(g: ConvGeometry, w: Float32Array, j0: number, nc: number, dst: Float64Array, bLen: number): void {
  const n = g.outC, inC = g.inC, kq = g.kD * g.kH * inC;
  const stride2 = g.strideW === 2;
  const tap = inC * n; // distance between kw taps in w
  for (let jp = 0; jp * NR < nc; jp++) {
    const nr = Math.min(NR, nc - jp * NR);
    const panel = jp * kq * NR;
    for (let kk = 0; kk < kq; kk++) {
      // k' = (kd·kH + kh)·inC + ci  →  w index of tap kw = ((kd·kH + kh)·3 + kw)·inC + ci
      const ci = kk % inC, dh = (kk - ci) / inC;
      const w0 = (dh * 3 * inC + ci) * n + j0 + jp * NR;
      const d = panel + kk * NR;
      for (let j = 0; j < NR; j++) {
        let u0 = 0, u1 = 0, u2 = 0, u3 = 0;
        if (j < nr) {
          const g0 = w[w0 + j], g1 = w[w0 + tap + j], g2 = w[w0 + 2 * tap + j];
          if (stride2) { u0 = g0; u1 = g0 + g2; u2 = g2; u3 = g1; } // U4 = U3 = g1
          else { u0 = g0; u1 = 0.5 * (g0 + g1 + g2); u2 = 0.5 * (g0 - g1 + g2); u3 = g2; }
        }
        dst[d + j] = u0;
        dst[bLen + d + j] = u1;
        dst[2 * bLen + d + j] = u2;
        dst[3 * bLen + d + j] = u3;
      }
    }
  }
}

/**
 * gatherWinogradV:  output pairs [q0, q0 + rows) → V0…V3 in MR-pair panels:
 *   dst[t·aLen + (r >> 2)·K'·4 + 4k' + (r & 3)] = v_t of pair q0 + r at k' = (kd·kH + kh)·inC + ci.
 * Taps in the padding read zero; pairs past `rows` in the last panel are zero.
 */
function gatherWinogradV(g: ConvGeometry, x: Float32Array, q0: number, rows: number, dst: Float64Array, aLen: number): void {
  const { inD, inH, inW, inC, outD, outH, outW, kD, kH } = g;
  const { strideD, strideH, dilD, dilH, padFront, padTop, padLeft } = g;
  const kq = kD * kH * inC;
  const pairsPerRow = Math.ceil(outW / 2);
  const a1 = aLen, a2 = 2 * aLen, a3 = 3 * aLen;
  let wp = q0 % pairsPerRow;
  let t = (q0 - wp) / pairsPerRow;
  let oh = t % outH;
  t = (t - oh) / outH;
  let od = t % outD;
  let b = (t - od) / outD;
  for (let r = 0; r < rows; r++) {
    const row = (r >> 2) * kq * MR + (r & 3);
    const d0 = od * strideD - padFront, h0 = oh * strideH - padTop, iw0 = 2 * wp - padLeft;
    const kdLo = firstTap(d0, dilD), kdHi = endTap(d0, dilD, inD, kD);
    const khLo = firstTap(h0, dilH), khHi = endTap(h0, dilH, inH, kH);
    if (!(kdLo === 0 && kdHi === kD && khLo === 0 && khHi === kH)) {
      for (let i = 0, d = row; i < kq; i++, d += MR) { dst[d] = 0; dst[a1 + d] = 0; dst[a2 + d] = 0; dst[a3 + d] = 0; }
    }
    // which of the four input columns iw0 … iw0+3 lie inside the input
    const inside = iw0 >= 0 && iw0 + 3 < inW;
    const ok0 = iw0 >= 0 && iw0 < inW, ok1 = iw0 + 1 >= 0 && iw0 + 1 < inW;
    const ok2 = iw0 + 2 >= 0 && iw0 + 2 < inW, ok3 = iw0 + 3 >= 0 && iw0 + 3 < inW;
    for (let kd = kdLo; kd < kdHi; kd++) {
      const xD = (b * inD + d0 + kd * dilD) * inH;
      for (let kh = khLo; kh < khHi; kh++) {
        const xRow = ((xD + h0 + kh * dilH) * inW + iw0) * inC; // x index of (iw0, ci = 0), maybe outside
        let d = row + (kd * kH + kh) * inC * MR;
        if (inside) {
          for (let ci = 0; ci < inC; ci++, d += MR) {
            const s = xRow + ci;
            const x0 = x[s], x1 = x[s + inC], x2 = x[s + 2 * inC], x3 = x[s + 3 * inC];
            dst[d] = x0 - x2; dst[a1 + d] = x1 + x2; dst[a2 + d] = x2 - x1; dst[a3 + d] = x1 - x3;
          }
        } else {
          for (let ci = 0; ci < inC; ci++, d += MR) {
            const s = xRow + ci;
            const x0 = ok0 ? x[s] : 0, x1 = ok1 ? x[s + inC] : 0;
            const x2 = ok2 ? x[s + 2 * inC] : 0, x3 = ok3 ? x[s + 3 * inC] : 0;
            dst[d] = x0 - x2; dst[a1 + d] = x1 + x2; dst[a2 + d] = x2 - x1; dst[a3 + d] = x1 - x3;
          }
        }
      }
    }
    if (++wp === pairsPerRow) {
      wp = 0;
      if (++oh === outH) {
        oh = 0;
        if (++od === outD) { od = 0; b++; }
      }
    }
  }
  for (let r = rows; r & 3; r++) {
    const row = (r >> 2) * kq * MR + (r & 3);
    for (let i = 0, d = row; i < kq; i++, d += MR) { dst[d] = 0; dst[a1 + d] = 0; dst[a2 + d] = 0; dst[a3 + d] = 0; }
  }
}

/** y[pair q0 + r, channels j0 …] from M0…M3 (mb[t·rows·nc + r·nc + c]), plus bias. */
function winogradOutput(g: ConvGeometry, q0: number, rows: number, j0: number, nc: number, mb: Float32Array, bias: Float32Array | null, y: Float32Array): void {
  const n = g.outC, outW = g.outW, stride2 = g.strideW === 2;
  const pairsPerRow = Math.ceil(outW / 2);
  const mLen = rows * nc;
  for (let r = 0; r < rows; r++) {
    const q = q0 + r;
    const wp = q % pairsPerRow, rowIdx = (q - wp) / pairsPerRow; // rowIdx = (b·outD + od)·outH + oh
    const ow0 = 2 * wp;
    const y0 = (rowIdx * outW + ow0) * n + j0, y1 = y0 + n;
    const m0 = r * nc, m1 = mLen + m0, m2 = 2 * mLen + m0, m3 = 3 * mLen + m0;
    const second = ow0 + 1 < outW;
    if (stride2) {
      const m4 = 4 * mLen + m0;
      for (let c = 0; c < nc; c++) {
        const v1 = mb[m1 + c];
        const bc = bias === null ? 0 : bias[j0 + c];
        y[y0 + c] = mb[m0 + c] + v1 + mb[m3 + c] + bc;
        if (second) y[y1 + c] = v1 + mb[m2 + c] + mb[m4 + c] + bc;
      }
      continue;
    }
    for (let c = 0; c < nc; c++) {
      const v1 = mb[m1 + c], v2 = mb[m2 + c];
      const bc = bias === null ? 0 : bias[j0 + c];
      y[y0 + c] = mb[m0 + c] + v1 + v2 + bc;
      if (second) y[y1 + c] = v1 - v2 - mb[m3 + c] + bc;
    }
  }
}

// ── Winograd F(4,3) along the width axis (forward, wide rows) ───────────────────────────────────

/**
 * F(4,3) for rows at least 8 wide: 6 products per 4 outputs and tap row instead of 12. It pays
 * from K' = kD·kH·inC = 3 on (a 3×3 kernel over one channel: mnist-conv1 ≈ 1.2× the plain route);
 * at K' = 1, 2 the six GEMMs are too shallow.
 */
function useWinogradW4(g: ConvGeometry): boolean {
  return g.kW === 3 && g.strideW === 1 && g.dilW === 1 && g.outW >= 8 && g.kD * g.kH * g.inC >= 3;
}

/** `tile` output quads per step (a multiple of MR), `nc` output channels per transformed-W block. */
function winograd4Plan(g: ConvGeometry): WinogradPlan {
  const kq = g.kD * g.kH * g.inC;
  const quads = g.batch * g.outD * g.outH * Math.ceil(g.outW / 4);
  const nc = Math.min(g.outC, NR * Math.max(1, Math.floor(B_BYTES / (6 * 8 * kq * NR))));
  const perQuad = 6 * (8 * kq + 4 * nc);
  const tile = Math.min(roundUp(quads, MR), MR * Math.max(1, Math.floor(A_BYTES / (perQuad * MR))));
  return { tile, nc };
}

/**
 * convForwardWinogradW4:  y = conv(x, w) for kW = 3, strideW = 1, dilW = 1, outputs in quads along W
 * with Winograd's F(4,3) (Lavin & Gray's transforms):
 *
 *   input  d0 … d5 (x at iw0 … iw0+5, iw0 = 4·quad − padLeft)     taps  g0 g1 g2
 *   v = [4d0 − 5d2 + d4,  −4d1 − 4d2 + d3 + d4,  4d1 − 4d2 − d3 + d4,
 *        −2d1 − d2 + 2d3 + d4,  2d1 − d2 − 2d3 + d4,  4d1 − 5d3 + d5]
 *   u = [g0/4,  −(g0 + g1 + g2)/6,  −(g0 − g1 + g2)/6,  g0/24 + g1/12 + g2/6,  g0/24 − g1/12 + g2/6,  g2]
 *   m_t = Σ_{kd, kh, ci} v_t · u_t         (six GEMMs of depth K' = kD·kH·inC)
 *   y0 = m0 + m1 + m2 + m3 + m4           y1 = m1 − m2 + 2m3 − 2m4
 *   y2 = m1 + m2 + 4m3 + 4m4              y3 = m1 − m2 + 8m3 − 8m4 + m5
 *
 * Same loops as convForwardWinogradW; outputs past the row's end are computed and dropped.
 */
function convForwardWinogradW4(g: ConvGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array): void {
  const n = g.outC, kq = g.kD * g.kH * g.inC;
  const quads = g.batch * g.outD * g.outH * Math.ceil(g.outW / 4);
  const { tile, nc } = winograd4Plan(g);
  const aLen = tile * kq, bLen = kq * roundUp(nc, NR);
  const a = bufA(6 * aLen), bu = bufB(6 * bLen), mb = bufP(6 * tile * nc);
  const oneBlock = nc === n;
  if (oneBlock) packWinograd4U(g, w, 0, n, bu, bLen);
  for (let q0 = 0; q0 < quads; q0 += tile) {
    const rows = Math.min(tile, quads - q0);
    gatherWinograd4V(g, x, q0, rows, a, aLen);
    for (let j0 = 0; j0 < n; j0 += nc) {
      const ncb = Math.min(nc, n - j0);
      if (!oneBlock) packWinograd4U(g, w, j0, ncb, bu, bLen);
      const mLen = rows * ncb;
      for (let ip = 0; ip * MR < rows; ip++) {
        const mr = Math.min(MR, rows - ip * MR);
        for (let t = 0; t < 6; t++) {
          const aI = t * aLen + ip * kq * MR, mRow = t * mLen + ip * MR * ncb;
          for (let jp = 0; jp * NR < ncb; jp++) {
            convMicro4x4(kq, aI, t * bLen + jp * kq * NR, mb, mRow + jp * NR, ncb, mr, Math.min(NR, ncb - jp * NR), false, ZERO_BIAS, 0);
          }
        }
      }
      winograd4Output(g, q0, rows, j0, ncb, mb, bias, y);
    }
  }
}

/** packWinograd4U:  U0…U5 for channels [j0, j0 + nc) in NR-column panels (layout of packWinogradU). */
function packWinograd4U(g: ConvGeometry, w: Float32Array, j0: number, nc: number, dst: Float64Array, bLen: number): void {
  const n = g.outC, inC = g.inC, kq = g.kD * g.kH * inC;
  const tap = inC * n;
  for (let jp = 0; jp * NR < nc; jp++) {
    const nr = Math.min(NR, nc - jp * NR);
    const panel = jp * kq * NR;
    for (let kk = 0; kk < kq; kk++) {
      const ci = kk % inC, dh = (kk - ci) / inC;
      const w0 = (dh * 3 * inC + ci) * n + j0 + jp * NR;
      const d = panel + kk * NR;
      for (let j = 0; j < NR; j++) {
        let g0 = 0, g1 = 0, g2 = 0;
        if (j < nr) { g0 = w[w0 + j]; g1 = w[w0 + tap + j]; g2 = w[w0 + 2 * tap + j]; }
        dst[d + j] = g0 / 4;
        dst[bLen + d + j] = -(g0 + g1 + g2) / 6;
        dst[2 * bLen + d + j] = -(g0 - g1 + g2) / 6;
        dst[3 * bLen + d + j] = g0 / 24 + g1 / 12 + g2 / 6;
        dst[4 * bLen + d + j] = g0 / 24 - g1 / 12 + g2 / 6;
        dst[5 * bLen + d + j] = g2;
      }
    }
  }
}

/**
 * gatherWinograd4V:  output quads [q0, q0 + rows) → V0…V5 in MR-quad panels (layout of
 * gatherWinogradV), from the six columns d_j = x at 4·quad − padLeft + j (zero outside the input).
 */
function gatherWinograd4V(g: ConvGeometry, x: Float32Array, q0: number, rows: number, dst: Float64Array, aLen: number): void {
  const { inD, inH, inW, inC, outD, outH, outW, kD, kH } = g;
  const { strideD, strideH, dilD, dilH, padFront, padTop, padLeft } = g;
  const kq = kD * kH * inC;
  const quadsPerRow = Math.ceil(outW / 4);
  const a1 = aLen, a2 = 2 * aLen, a3 = 3 * aLen, a4 = 4 * aLen, a5 = 5 * aLen;
  let wq = q0 % quadsPerRow;
  let t = (q0 - wq) / quadsPerRow;
  let oh = t % outH;
  t = (t - oh) / outH;
  let od = t % outD;
  let b = (t - od) / outD;
  for (let r = 0; r < rows; r++) {
    const row = (r >> 2) * kq * MR + (r & 3);
    const d0 = od * strideD - padFront, h0 = oh * strideH - padTop, iw0 = 4 * wq - padLeft;
    const kdLo = firstTap(d0, dilD), kdHi = endTap(d0, dilD, inD, kD);
    const khLo = firstTap(h0, dilH), khHi = endTap(h0, dilH, inH, kH);
    if (!(kdLo === 0 && kdHi === kD && khLo === 0 && khHi === kH)) {
      for (let i = 0, d = row; i < kq; i++, d += MR) {
        dst[d] = 0; dst[a1 + d] = 0; dst[a2 + d] = 0; dst[a3 + d] = 0; dst[a4 + d] = 0; dst[a5 + d] = 0;
      }
    }
    const inside = iw0 >= 0 && iw0 + 5 < inW;
    const ok0 = iw0 >= 0 && iw0 < inW, ok1 = iw0 + 1 >= 0 && iw0 + 1 < inW, ok2 = iw0 + 2 >= 0 && iw0 + 2 < inW;
    const ok3 = iw0 + 3 >= 0 && iw0 + 3 < inW, ok4 = iw0 + 4 >= 0 && iw0 + 4 < inW, ok5 = iw0 + 5 >= 0 && iw0 + 5 < inW;
    for (let kd = kdLo; kd < kdHi; kd++) {
      const xD = (b * inD + d0 + kd * dilD) * inH;
      for (let kh = khLo; kh < khHi; kh++) {
        const xRow = ((xD + h0 + kh * dilH) * inW + iw0) * inC; // x index of (iw0, ci = 0), maybe outside
        let d = row + (kd * kH + kh) * inC * MR;
        for (let ci = 0; ci < inC; ci++, d += MR) {
          const s = xRow + ci;
          let x0: number, x1: number, x2: number, x3: number, x4: number, x5: number;
          if (inside) {
            x0 = x[s]; x1 = x[s + inC]; x2 = x[s + 2 * inC]; x3 = x[s + 3 * inC]; x4 = x[s + 4 * inC]; x5 = x[s + 5 * inC];
          } else {
            x0 = ok0 ? x[s] : 0; x1 = ok1 ? x[s + inC] : 0; x2 = ok2 ? x[s + 2 * inC] : 0;
            x3 = ok3 ? x[s + 3 * inC] : 0; x4 = ok4 ? x[s + 4 * inC] : 0; x5 = ok5 ? x[s + 5 * inC] : 0;
          }
          const p24 = x4 - 4 * x2, p13 = x3 - 4 * x1, q24 = x4 - x2, q13 = 2 * (x3 - x1);
          dst[d] = 4 * x0 - 5 * x2 + x4;
          dst[a1 + d] = p24 + p13;
          dst[a2 + d] = p24 - p13;
          dst[a3 + d] = q24 + q13;
          dst[a4 + d] = q24 - q13;
          dst[a5 + d] = 4 * x1 - 5 * x3 + x5;
        }
      }
    }
    if (++wq === quadsPerRow) {
      wq = 0;
      if (++oh === outH) {
        oh = 0;
        if (++od === outD) { od = 0; b++; }
      }
    }
  }
  for (let r = rows; r & 3; r++) {
    const row = (r >> 2) * kq * MR + (r & 3);
    for (let i = 0, d = row; i < kq; i++, d += MR) {
      dst[d] = 0; dst[a1 + d] = 0; dst[a2 + d] = 0; dst[a3 + d] = 0; dst[a4 + d] = 0; dst[a5 + d] = 0;
    }
  }
}

/** y for quads q0 … from M0…M5 (mb[t·rows·nc + r·nc + c]) plus bias; outputs past the row end dropped. */
function winograd4Output(g: ConvGeometry, q0: number, rows: number, j0: number, nc: number, mb: Float32Array, bias: Float32Array | null, y: Float32Array): void {
  const n = g.outC, outW = g.outW;
  const quadsPerRow = Math.ceil(outW / 4);
  const mLen = rows * nc;
  for (let r = 0; r < rows; r++) {
    const q = q0 + r;
    const wq = q % quadsPerRow, rowIdx = (q - wq) / quadsPerRow; // rowIdx = (b·outD + od)·outH + oh
    const ow0 = 4 * wq;
    const valid = Math.min(4, outW - ow0);
    const y0 = (rowIdx * outW + ow0) * n + j0;
    const m0 = r * nc, m1 = mLen + m0, m2 = 2 * mLen + m0, m3 = 3 * mLen + m0, m4 = 4 * mLen + m0, m5 = 5 * mLen + m0;
    for (let c = 0; c < nc; c++) {
      const v1 = mb[m1 + c], v2 = mb[m2 + c], v3 = mb[m3 + c], v4 = mb[m4 + c];
      const s12 = v1 + v2, d12 = v1 - v2, s34 = v3 + v4, d34 = v3 - v4;
      const bc = bias === null ? 0 : bias[j0 + c];
      y[y0 + c] = mb[m0 + c] + s12 + s34 + bc;
      if (valid > 1) y[y0 + n + c] = d12 + 2 * d34 + bc;
      if (valid > 2) y[y0 + 2 * n + c] = s12 + 4 * s34 + bc;
      if (valid > 3) y[y0 + 3 * n + c] = d12 + 8 * d34 + mb[m5 + c] + bc;
    }
  }
}

/**
 * gatherWinogradV2 (strideW = 2):  output pairs [q0, q0 + rows) → V0…V4 in MR-pair panels, laid out
 * like gatherWinogradV, from the five columns c_j = x at iw0 + j, iw0 = 4·pair − padLeft:
 *   v = [c0 − c2,  c2,  c4 − c2,  c1,  c3].
 */
function gatherWinogradV2(g: ConvGeometry, x: Float32Array, q0: number, rows: number, dst: Float64Array, aLen: number): void {
  const { inD, inH, inW, inC, outD, outH, outW, kD, kH } = g;
  const { strideD, strideH, dilD, dilH, padFront, padTop, padLeft } = g;
  const kq = kD * kH * inC;
  const pairsPerRow = Math.ceil(outW / 2);
  const a1 = aLen, a2 = 2 * aLen, a3 = 3 * aLen, a4 = 4 * aLen;
  let wp = q0 % pairsPerRow;
  let t = (q0 - wp) / pairsPerRow;
  let oh = t % outH;
  t = (t - oh) / outH;
  let od = t % outD;
  let b = (t - od) / outD;
  for (let r = 0; r < rows; r++) {
    const row = (r >> 2) * kq * MR + (r & 3);
    const d0 = od * strideD - padFront, h0 = oh * strideH - padTop, iw0 = 4 * wp - padLeft;
    const kdLo = firstTap(d0, dilD), kdHi = endTap(d0, dilD, inD, kD);
    const khLo = firstTap(h0, dilH), khHi = endTap(h0, dilH, inH, kH);
    if (!(kdLo === 0 && kdHi === kD && khLo === 0 && khHi === kH)) {
      for (let i = 0, d = row; i < kq; i++, d += MR) { dst[d] = 0; dst[a1 + d] = 0; dst[a2 + d] = 0; dst[a3 + d] = 0; dst[a4 + d] = 0; }
    }
    const inside = iw0 >= 0 && iw0 + 4 < inW;
    const ok0 = iw0 >= 0 && iw0 < inW, ok1 = iw0 + 1 >= 0 && iw0 + 1 < inW, ok2 = iw0 + 2 >= 0 && iw0 + 2 < inW;
    const ok3 = iw0 + 3 >= 0 && iw0 + 3 < inW, ok4 = iw0 + 4 >= 0 && iw0 + 4 < inW;
    for (let kd = kdLo; kd < kdHi; kd++) {
      const xD = (b * inD + d0 + kd * dilD) * inH;
      for (let kh = khLo; kh < khHi; kh++) {
        const xRow = ((xD + h0 + kh * dilH) * inW + iw0) * inC; // x index of (iw0, ci = 0), maybe outside
        let d = row + (kd * kH + kh) * inC * MR;
        if (inside) {
          for (let ci = 0; ci < inC; ci++, d += MR) {
            const s = xRow + ci;
            const c0 = x[s], c1 = x[s + inC], c2 = x[s + 2 * inC], c3 = x[s + 3 * inC], c4 = x[s + 4 * inC];
            dst[d] = c0 - c2; dst[a1 + d] = c2; dst[a2 + d] = c4 - c2; dst[a3 + d] = c1; dst[a4 + d] = c3;
          }
        } else {
          for (let ci = 0; ci < inC; ci++, d += MR) {
            const s = xRow + ci;
            const c0 = ok0 ? x[s] : 0, c1 = ok1 ? x[s + inC] : 0, c2 = ok2 ? x[s + 2 * inC] : 0;
            const c3 = ok3 ? x[s + 3 * inC] : 0, c4 = ok4 ? x[s + 4 * inC] : 0;
            dst[d] = c0 - c2; dst[a1 + d] = c2; dst[a2 + d] = c4 - c2; dst[a3 + d] = c1; dst[a4 + d] = c3;
          }
        }
      }
    }
    if (++wp === pairsPerRow) {
      wp = 0;
      if (++oh === outH) {
        oh = 0;
        if (++od === outD) { od = 0; b++; }
      }
    }
  }
  for (let r = rows; r & 3; r++) {
    const row = (r >> 2) * kq * MR + (r & 3);
    for (let i = 0, d = row; i < kq; i++, d += MR) { dst[d] = 0; dst[a1 + d] = 0; dst[a2 + d] = 0; dst[a3 + d] = 0; dst[a4 + d] = 0; }
  }
}

/**
 * convBackpropInput:  dx = col2im(dY · Wᵀ); dx is overwritten.
 *
 *   for each tile of `tile` output positions:
 *     for each block of nc output channels:  pack dY tile → A panels, (Wᵀ block → B panels)
 *       dP[tile×K] (=|+=) dY[tile×nc] · Wᵀ[nc×K]     (convMicro4x4 over nc)
 *     scatter-add dP into dx
 */
export function convBackpropInput(g: ConvGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const n = g.outC, k = patchK(g), m = outRows(g);
  const route = inputRoute(g);
  if (route === 'transposed') {
    convBackpropInputAsForward(g, dy, w, dx);
    return;
  }
  dx.fill(0);
  if (m === 0) return;
  if (route === 'smallK') {
    convBackpropInputSmallK(g, dy, w, dx);
    return;
  }
  if (route === 'gemm') {
    convBackpropInputGemm(g, dy, w, dx);
    return;
  }
  const { tile, nc, kb } = inputPlan(g);
  const a = bufA(tile * nc), bw = bufB(kb * nc), dp = bufP(tile * k);
  const oneBlock = nc === n;
  if (oneBlock) packColsB(w, 0, n, n, 0, k, bw);
  for (let m0 = 0; m0 < m; m0 += tile) {
    const rows = Math.min(tile, m - m0);
    for (let c0 = 0; c0 < n; c0 += nc) {
      const ncb = Math.min(nc, n - c0);
      if (!oneBlock) packColsB(w, c0, ncb, n, 0, k, bw);
      packDyPanels(dy, m0, rows, n, c0, ncb, a);
      for (let ip = 0; ip * MR < rows; ip++) {
        const mr = Math.min(MR, rows - ip * MR);
        const aI = ip * ncb * MR, pRow = ip * MR * k;
        for (let jp = 0; jp * NR < k; jp++) {
          convMicro4x4(ncb, aI, jp * ncb * NR, dp, pRow + jp * NR, k, mr, Math.min(NR, k - jp * NR), c0 > 0, ZERO_BIAS, 0);
        }
      }
    }
    patchRows(g, dx, m0, rows, dp, true);
  }
}

/** Patch widths up to this (a 3×3 kernel over one channel: 9) take the small-K input gradient. */
const SMALL_K = 12;

/** Rows of dY per small-K tile. */
function smallKTile(g: ConvGeometry): number {
  return Math.min(outRows(g), Math.max(MR, Math.floor(A_BYTES / (4 * patchK(g)))));
}

/**
 * Input gradient for a tiny patch width K (inC = 1 first layers): dP[T×K] = dY[T×N] · Wᵀ read
 * straight from dy (no dY packing, which would cost as much as the products), with Wᵀ in 3-wide
 * float64 panels so K = 9 wastes nothing; then col2im into dx (already zeroed).
 */
function convBackpropInputSmallK(g: ConvGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const n = g.outC, k = patchK(g), m = outRows(g);
  const kPanels = Math.ceil(k / 3);
  const wt = bufB(kPanels * n * 3);
  // wt[kp·N·3 + 3co + j] = w[(3kp + j)·N + co], zero past K
  for (let kp = 0; kp < kPanels; kp++) {
    for (let co = 0; co < n; co++) {
      const d = (kp * n + co) * 3;
      for (let j = 0; j < 3; j++) {
        const kk = 3 * kp + j;
        wt[d + j] = kk < k ? w[kk * n + co] : 0;
      }
    }
  }
  const tile = smallKTile(g);
  const dp = bufP(tile * k);
  for (let m0 = 0; m0 < m; m0 += tile) {
    const rows = Math.min(tile, m - m0);
    for (let r = 0; r < rows; r += MR) {
      const mr = Math.min(MR, rows - r);
      // rows past the end re-read the last row (never written back)
      const r0 = (m0 + r) * n;
      const r1 = mr > 1 ? r0 + n : r0, r2 = mr > 2 ? r0 + 2 * n : r0, r3 = mr > 3 ? r0 + 3 * n : r0;
      for (let kp = 0; kp < kPanels; kp++) {
        convMicroDy4x3(n, dy, r0, r1, r2, r3, kp * n * 3, dp, r * k + 3 * kp, k, mr, Math.min(3, k - 3 * kp));
      }
    }
    patchRows(g, dx, m0, rows, dp, true);
  }
}

/**
 * convMicroDy4x3:  C[4×3] = A[4×nc] · B[nc×3], A rows read from a float32 matrix at row offsets
 * r0…r3 (A(i, p) = a[ri + p]), B a 3-wide float64 panel in WS_B (WS_B[bI + 3p + j]); writes the top-left mr×nr.
 */
function convMicroDy4x3(
  nc: number, a: Float32Array, r0: number, r1: number, r2: number, r3: number,
  bI: number, c: Float32Array, cI: number, cRs: number, mr: number, nr: number,
): void {
  const b = WS_B;
  let c00 = 0, c01 = 0, c02 = 0, c10 = 0, c11 = 0, c12 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c30 = 0, c31 = 0, c32 = 0;
  for (let p = 0; p < nc; p++) {
    const a0 = a[r0 + p], a1 = a[r1 + p], a2 = a[r2 + p], a3 = a[r3 + p];
    const b0 = b[bI], b1 = b[bI + 1], b2 = b[bI + 2];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2;
    bI += 3;
  }
  if (mr === 4 && nr === 3) {
    const i0 = cI, i1 = cI + cRs, i2 = i1 + cRs, i3 = i2 + cRs;
    c[i0] = c00; c[i0 + 1] = c01; c[i0 + 2] = c02;
    c[i1] = c10; c[i1 + 1] = c11; c[i1 + 2] = c12;
    c[i2] = c20; c[i2 + 1] = c21; c[i2 + 2] = c22;
    c[i3] = c30; c[i3 + 1] = c31; c[i3 + 2] = c32;
    return;
  }
  const t = edge;
  t[0] = c00; t[1] = c01; t[2] = c02; t[4] = c10; t[5] = c11; t[6] = c12;
  t[8] = c20; t[9] = c21; t[10] = c22; t[12] = c30; t[13] = c31; t[14] = c32;
  for (let i = 0; i < mr; i++) for (let j = 0; j < nr; j++) c[cI + i * cRs + j] = t[i * 4 + j];
}

/**
 * With every stride 1, the input gradient is itself a forward convolution — of dy, with the kernel
 * flipped in space and its channel axes swapped, and padding effK − 1 − pad on each side:
 *
 *   dx[b, i, ci] = Σ_{k, co} dy[b, i + pad − k·dil, co] · w[k, ci, co]
 *                = Σ_{k', co} dy[b, i − (effK − 1 − pad) + k'·dil, co] · w[K − 1 − k', ci, co]
 *
 * so it runs through convForward (GEMM tiles, Winograd along W where it applies) with no scatter.
 * Worth it when dx has at least NR channels (they become the GEMM's N).
 */
function useTransposedForward(g: ConvGeometry): boolean {
  return g.strideD === 1 && g.strideH === 1 && g.strideW === 1 && g.inC >= NR &&
    4 * patchK(g) * g.outC <= FLIPPED_KERNEL_MAX_BYTES;
}

/** The flipped kernel is a workspace copy of w: above this, big layers take the col2im route. */
const FLIPPED_KERNEL_MAX_BYTES = 4 * 1024 * 1024;

let wsFlip = new Float32Array(0);

/** The geometry of dx = conv(dy, flipped w) for a stride-1 geometry g. */
function transposedGeometry(g: ConvGeometry): ConvGeometry {
  const effD = (g.kD - 1) * g.dilD, effH = (g.kH - 1) * g.dilH, effW = (g.kW - 1) * g.dilW;
  return {
    rank: g.rank, batch: g.batch,
    inD: g.outD, inH: g.outH, inW: g.outW, inC: g.outC,
    outD: g.inD, outH: g.inH, outW: g.inW, outC: g.inC,
    kD: g.kD, kH: g.kH, kW: g.kW,
    strideD: 1, strideH: 1, strideW: 1,
    dilD: g.dilD, dilH: g.dilH, dilW: g.dilW,
    padFront: effD - g.padFront, padTop: effH - g.padTop, padLeft: effW - g.padLeft,
    padBack: effD - g.padBack, padBottom: effH - g.padBottom, padRight: effW - g.padRight,
  };
}

function convBackpropInputAsForward(g: ConvGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const { kD, kH, kW, inC, outC } = g;
  const taps = kD * kH * kW;
  if (wsFlip.length < taps * inC * outC) wsFlip = new Float32Array(taps * inC * outC);
  const wf = wsFlip;
  // wf[tap', co, ci] = w[taps − 1 − tap', ci, co]   (flipping d, h and w together reverses the tap index)
  for (let tf = 0; tf < taps; tf++) {
    const src = (taps - 1 - tf) * inC * outC, dst = tf * outC * inC;
    for (let ci = 0; ci < inC; ci++) {
      const s = src + ci * outC;
      for (let co = 0; co < outC; co++) wf[dst + co * inC + ci] = w[s + co];
    }
  }
  convForward(transposedGeometry(g), dy, wf, null, dx);
}

/**
 * packDyPanels:  columns [c0, c0 + nc) of dY rows [m0, m0 + rows) → MR-row panels, each
 * channel-major:  dst[(r >> 2)·nc·4 + 4c + (r & 3)] = dy[(m0 + r)·N + c0 + c]; rows past `rows` zero.
 */
function packDyPanels(dy: Float32Array, m0: number, rows: number, n: number, c0: number, nc: number, dst: Float64Array): void {
  for (let ip = 0; ip * MR < rows; ip++) {
    const mr = Math.min(MR, rows - ip * MR);
    const panel = ip * nc * MR;
    for (let i = 0; i < MR; i++) {
      let d = panel + i;
      if (i < mr) {
        let s = (m0 + ip * MR + i) * n + c0;
        for (let c = 0; c < nc; c++) { dst[d] = dy[s]; d += MR; s++; }
      } else {
        for (let c = 0; c < nc; c++) { dst[d] = 0; d += MR; }
      }
    }
  }
}

/**
 * convBackpropFilter:  dW[K×N] = Σ over tiles  Pᵀ[K×tile] · dY[tile×N]; dw is overwritten.
 *
 *   for each tile of output positions:  gather P tile (row-major) → Pᵀ MR-row panels over K;
 *                                       dY tile → NR-column panels
 *     for each Pᵀ panel (4 kernel rows):  for each dY panel (4 channels):  convMicro4x4 over the tile
 */
export function convBackpropFilter(g: ConvGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array): void {
  const n = g.outC, k = patchK(g), m = outRows(g);
  dw.fill(0);
  if (m === 0) return;
  const route = filterRoute(g);
  if (route === 'smallK') {
    convBackpropFilterSmallK(g, x, dy, dw);
    return;
  }
  if (route === 'winograd') {
    convBackpropFilterWinogradW(g, x, dy, dw);
    return;
  }
  if (route === 'gemm') {
    convBackpropFilterGemm(g, x, dy, dw);
    return;
  }
  const tile = filterPlan(g);
  const p = bufP(tile * k), a = bufA(tile * roundUp(k, MR)), bd = bufB(tile * roundUp(n, NR));
  for (let m0 = 0; m0 < m; m0 += tile) {
    const rows = Math.min(tile, m - m0);
    patchRows(g, x, m0, rows, p, false);
    packPatchTransposed(p, rows, k, a);
    packRowsB(dy, m0, rows, n, 0, n, bd);
    for (let kp = 0; kp * MR < k; kp++) {
      const mr = Math.min(MR, k - kp * MR);
      const aI = kp * rows * MR, wRow = kp * MR * n;
      for (let jp = 0; jp * NR < n; jp++) {
        convMicro4x4(rows, aI, jp * rows * NR, dw, wRow + jp * NR, n, mr, Math.min(NR, n - jp * NR), true, ZERO_BIAS, 0);
      }
    }
  }
}

/** Bytes per (k', co) and transform of the Winograd filter gradient's M_t scratch (float32) and accumulator (float64). */
const WINOGRAD_FILTER_ACC_BYTES = 4 + 8;
/** Above this the M_t buffers (kernel-sized) would outgrow "a few MiB": big layers take the plain route. */
const WINOGRAD_FILTER_MAX_BYTES = 8 * 1024 * 1024;

/**
 * Transforms of the Winograd filter gradient for g: 6 (F(4,3) transposed, rows ≥ 8 wide), 4 (F(2,3)
 * transposed), or 0 when it does not apply or its kernel-sized buffers would be too big.
 */
function winogradFilterTransforms(g: ConvGeometry): 0 | 4 | 6 {
  const ok = (t: number): boolean => {
    const kq = g.kD * g.kH * g.inC, tile = winogradFilterTile(g, t);
    return winogradFilterBytes(g, t) <= WINOGRAD_FILTER_MAX_BYTES &&
      fits(t * tile * roundUp(kq, MR), t * tile * roundUp(g.outC, NR));
  };
  // F(4,3) from K' = 3 (mnist-conv1: ≈ 1.3× the small-K route), F(2,3) from K' = 8
  if (useWinogradW4(g) && ok(6)) return 6;
  return useWinogradW(g) && ok(4) ? 4 : 0;
}

/** Workspace of the Winograd filter gradient with `transforms` transforms: tiles plus M_t buffers. */
function winogradFilterBytes(g: ConvGeometry, transforms: number): number {
  const kq = g.kD * g.kH * g.inC, n = g.outC, tile = winogradFilterTile(g, transforms);
  return transforms * (8 * tile * (roundUp(kq, MR) + roundUp(n, NR)) + WINOGRAD_FILTER_ACC_BYTES * kq * n);
}

/** Output groups (pairs or quads) per Winograd filter-gradient tile (the inner dimension of its GEMMs). */
function winogradFilterTile(g: ConvGeometry, transforms: number): number {
  const kq = g.kD * g.kH * g.inC;
  const groups = g.batch * g.outD * g.outH * Math.ceil(g.outW / (transforms === 6 ? 4 : 2));
  return Math.min(groups, Math.max(MR, Math.floor(2 * B_BYTES / (transforms * 8 * (roundUp(kq, MR) + roundUp(g.outC, NR))))));
}

let wsAcc = new Float64Array(0);

/**
 * convBackpropFilterWinogradW:  dw for kW = 3, strideW = 1, dilW = 1 — the transpose of the
 * forward's F(2,3): per output pair, input d0…d3 and output gradients e0, e1 (e1 = 0 past the edge):
 *
 *   v = [d0 − d2,  d1 + d2,  d2 − d1,  d1 − d3]         a = [e0,  e0 + e1,  e0 − e1,  −e1]
 *   M_t[K'×N] = Σ_pairs v_t ⊗ a_t      (four GEMMs  V_tᵀ · A_t, K' = kD·kH·inC)
 *   dw[kw=0] = M0 + (M1 + M2)/2,   dw[kw=1] = (M1 − M2)/2,   dw[kw=2] = (M1 + M2)/2 + M3
 *
 * Each tile's M_t land in a float32 scratch and are summed into a float64 accumulator.
 */
function convBackpropFilterWinogradW(g: ConvGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array): void {
  const n = g.outC, inC = g.inC, kq = g.kD * g.kH * inC;
  const transforms = winogradFilterTransforms(g), quad = transforms === 6;
  const groups = g.batch * g.outD * g.outH * Math.ceil(g.outW / (quad ? 4 : 2));
  const tile = winogradFilterTile(g, transforms);
  const kqPad = roundUp(kq, MR), nPad = roundUp(n, NR);
  const aLen = tile * kqPad, bLen = tile * nPad, mLen = kq * n;
  const a = bufA(transforms * aLen), be = bufB(transforms * bLen), mb = bufP(transforms * mLen);
  if (wsAcc.length < transforms * mLen) wsAcc = new Float64Array(transforms * mLen);
  const acc = wsAcc;
  acc.fill(0, 0, transforms * mLen);
  for (let q0 = 0; q0 < groups; q0 += tile) {
    const rows = Math.min(tile, groups - q0);
    if (quad) {
      gatherWinograd4VTransposed(g, x, q0, rows, a, aLen);
      packWinograd4Dy(g, dy, q0, rows, be, bLen);
    } else {
      gatherWinogradVTransposed(g, x, q0, rows, a, aLen);
      packWinogradDy(g, dy, q0, rows, be, bLen);
    }
    for (let t = 0; t < transforms; t++) {
      for (let kp = 0; kp * MR < kq; kp++) {
        const mr = Math.min(MR, kq - kp * MR);
        const aI = t * aLen + kp * rows * MR, mRow = t * mLen + kp * MR * n;
        for (let jp = 0; jp * NR < n; jp++) {
          convMicro4x4(rows, aI, t * bLen + jp * rows * NR, mb, mRow + jp * NR, n, mr, Math.min(NR, n - jp * NR), false, ZERO_BIAS, 0);
        }
      }
    }
    for (let i = 0; i < transforms * mLen; i++) acc[i] += mb[i];
  }
  if (quad) {
    winograd4FilterOutput(g, acc, mLen, dw);
    return;
  }
  // dw[(dh·3 + kw)·inC + ci, co] from M_t[dh·inC + ci, co]
  for (let kk = 0; kk < kq; kk++) {
    const ci = kk % inC, dh = (kk - ci) / inC;
    const w0 = (dh * 3 * inC + ci) * n, w1 = w0 + inC * n, w2 = w1 + inC * n;
    const m0 = kk * n, m1 = mLen + m0, m2 = 2 * mLen + m0, m3 = 3 * mLen + m0;
    for (let co = 0; co < n; co++) {
      const half = 0.5 * (acc[m1 + co] + acc[m2 + co]);
      dw[w0 + co] = acc[m0 + co] + half;
      dw[w1 + co] = 0.5 * (acc[m1 + co] - acc[m2 + co]);
      dw[w2 + co] = half + acc[m3 + co];
    }
  }
}

/**
 * F(4,3) transposed (filter gradient over output quads): with v = the forward F(4,3)'s input transform
 * of d0…d5 and e0…e3 the quad's output gradients (zero past the row end),
 *   a = [e0,  e0 + e1 + e2 + e3,  e0 − e1 + e2 − e3,  e0 + 2e1 + 4e2 + 8e3,  e0 − 2e1 + 4e2 − 8e3,  e3]
 *   M_t = Σ_quads v_t ⊗ a_t,   dw = Gᵀ·M:
 *   dw[kw=0] = M0/4 − (M1 + M2)/6 + (M3 + M4)/24
 *   dw[kw=1] = (M2 − M1)/6 + (M3 − M4)/12
 *   dw[kw=2] = (M3 + M4 − M1 − M2)/6 + M5
 */
function winograd4FilterOutput(g: ConvGeometry, acc: Float64Array, mLen: number, dw: Float32Array): void {
  const n = g.outC, inC = g.inC, kq = g.kD * g.kH * inC;
  for (let kk = 0; kk < kq; kk++) {
    const ci = kk % inC, dh = (kk - ci) / inC;
    const w0 = (dh * 3 * inC + ci) * n, w1 = w0 + inC * n, w2 = w1 + inC * n;
    const m0 = kk * n;
    for (let co = 0; co < n; co++) {
      const i = m0 + co;
      const v1 = acc[mLen + i], v2 = acc[2 * mLen + i], v3 = acc[3 * mLen + i], v4 = acc[4 * mLen + i];
      const s12 = v1 + v2, s34 = v3 + v4;
      dw[w0 + co] = acc[i] / 4 - s12 / 6 + s34 / 24;
      dw[w1 + co] = (v2 - v1) / 6 + (v3 - v4) / 12;
      dw[w2 + co] = (s34 - s12) / 6 + acc[5 * mLen + i];
    }
  }
}

/**
 * gatherWinograd4VTransposed:  the forward F(4,3)'s V0…V5 for quads [q0, q0 + rows), laid out as the A
 * operand of V_tᵀ·A_t (layout of gatherWinogradVTransposed).
 */
function gatherWinograd4VTransposed(g: ConvGeometry, x: Float32Array, q0: number, rows: number, dst: Float64Array, aLen: number): void {
  const { inD, inH, inW, inC, outD, outH, outW, kD, kH } = g;
  const { strideD, strideH, dilD, dilH, padFront, padTop, padLeft } = g;
  const kq = kD * kH * inC;
  const rows4 = rows * MR;
  const quadsPerRow = Math.ceil(outW / 4);
  const a1 = aLen, a2 = 2 * aLen, a3 = 3 * aLen, a4 = 4 * aLen, a5 = 5 * aLen;
  let wq = q0 % quadsPerRow;
  let t = (q0 - wq) / quadsPerRow;
  let oh = t % outH;
  t = (t - oh) / outH;
  let od = t % outD;
  let b = (t - od) / outD;
  for (let r = 0; r < rows; r++) {
    const r4 = r * MR;
    const d0 = od * strideD - padFront, h0 = oh * strideH - padTop, iw0 = 4 * wq - padLeft;
    const kdLo = firstTap(d0, dilD), kdHi = endTap(d0, dilD, inD, kD);
    const khLo = firstTap(h0, dilH), khHi = endTap(h0, dilH, inH, kH);
    if (!(kdLo === 0 && kdHi === kD && khLo === 0 && khHi === kH)) {
      for (let kk = 0; kk < kq; kk++) {
        const d = (kk >> 2) * rows4 + r4 + (kk & 3);
        dst[d] = 0; dst[a1 + d] = 0; dst[a2 + d] = 0; dst[a3 + d] = 0; dst[a4 + d] = 0; dst[a5 + d] = 0;
      }
    }
    const ok0 = iw0 >= 0 && iw0 < inW, ok1 = iw0 + 1 >= 0 && iw0 + 1 < inW, ok2 = iw0 + 2 >= 0 && iw0 + 2 < inW;
    const ok3 = iw0 + 3 >= 0 && iw0 + 3 < inW, ok4 = iw0 + 4 >= 0 && iw0 + 4 < inW, ok5 = iw0 + 5 >= 0 && iw0 + 5 < inW;
    for (let kd = kdLo; kd < kdHi; kd++) {
      const xD = (b * inD + d0 + kd * dilD) * inH;
      for (let kh = khLo; kh < khHi; kh++) {
        const xRow = ((xD + h0 + kh * dilH) * inW + iw0) * inC; // x index of (iw0, ci = 0), maybe outside
        const k0 = (kd * kH + kh) * inC;
        for (let ci = 0; ci < inC; ci++) {
          const s = xRow + ci, kk = k0 + ci;
          const x0 = ok0 ? x[s] : 0, x1 = ok1 ? x[s + inC] : 0, x2 = ok2 ? x[s + 2 * inC] : 0;
          const x3 = ok3 ? x[s + 3 * inC] : 0, x4 = ok4 ? x[s + 4 * inC] : 0, x5 = ok5 ? x[s + 5 * inC] : 0;
          const p24 = x4 - 4 * x2, p13 = x3 - 4 * x1, q24 = x4 - x2, q13 = 2 * (x3 - x1);
          const d = (kk >> 2) * rows4 + r4 + (kk & 3);
          dst[d] = 4 * x0 - 5 * x2 + x4;
          dst[a1 + d] = p24 + p13;
          dst[a2 + d] = p24 - p13;
          dst[a3 + d] = q24 + q13;
          dst[a4 + d] = q24 - q13;
          dst[a5 + d] = 4 * x1 - 5 * x3 + x5;
        }
      }
    }
    if (++wq === quadsPerRow) {
      wq = 0;
      if (++oh === outH) {
        oh = 0;
        if (++od === outD) { od = 0; b++; }
      }
    }
  }
  for (let kk = kq; kk & 3; kk++) {
    for (let r = 0; r < rows; r++) {
      const d = (kk >> 2) * rows4 + r * MR + (kk & 3);
      dst[d] = 0; dst[a1 + d] = 0; dst[a2 + d] = 0; dst[a3 + d] = 0; dst[a4 + d] = 0; dst[a5 + d] = 0;
    }
  }
}

/** packWinograd4Dy:  A0…A5 of the F(4,3) filter gradient for quads [q0, q0 + rows) (layout of packWinogradDy). */
function packWinograd4Dy(g: ConvGeometry, dy: Float32Array, q0: number, rows: number, dst: Float64Array, bLen: number): void {
  const n = g.outC, outW = g.outW;
  const quadsPerRow = Math.ceil(outW / 4);
  const rows4 = rows * NR;
  const b1 = bLen, b2 = 2 * bLen, b3 = 3 * bLen, b4 = 4 * bLen, b5 = 5 * bLen;
  for (let r = 0; r < rows; r++) {
    const q = q0 + r;
    const wq = q % quadsPerRow, rowIdx = (q - wq) / quadsPerRow;
    const ow0 = 4 * wq;
    const valid = Math.min(4, outW - ow0);
    const y0 = (rowIdx * outW + ow0) * n;
    for (let co = 0; co < n; co++) {
      const e0 = dy[y0 + co];
      const e1 = valid > 1 ? dy[y0 + n + co] : 0, e2 = valid > 2 ? dy[y0 + 2 * n + co] : 0, e3 = valid > 3 ? dy[y0 + 3 * n + co] : 0;
      const s02 = e0 + e2, s13 = e1 + e3, t02 = e0 + 4 * e2, t13 = 2 * e1 + 8 * e3;
      const d = (co >> 2) * rows4 + r * NR + (co & 3);
      dst[d] = e0; dst[b1 + d] = s02 + s13; dst[b2 + d] = s02 - s13;
      dst[b3 + d] = t02 + t13; dst[b4 + d] = t02 - t13; dst[b5 + d] = e3;
    }
  }
  for (let co = n; co & 3; co++) {
    for (let r = 0; r < rows; r++) {
      const d = (co >> 2) * rows4 + r * NR + (co & 3);
      dst[d] = 0; dst[b1 + d] = 0; dst[b2 + d] = 0; dst[b3 + d] = 0; dst[b4 + d] = 0; dst[b5 + d] = 0;
    }
  }
}

/**
 * gatherWinogradVTransposed:  like gatherWinogradV, but laid out as the A operand of V_tᵀ · A_t:
 * MR-row panels over k', pair-major:  dst[t·aLen + (k' >> 2)·rows·4 + 4r + (k' & 3)] = v_t(pair r, k').
 * Rows of A past K' (the last panel's tail) are zero.
 */
function gatherWinogradVTransposed(g: ConvGeometry, x: Float32Array, q0: number, rows: number, dst: Float64Array, aLen: number): void {
  const { inD, inH, inW, inC, outD, outH, outW, kD, kH } = g;
  const { strideD, strideH, dilD, dilH, padFront, padTop, padLeft } = g;
  const kq = kD * kH * inC;
  const rows4 = rows * MR;
  const pairsPerRow = Math.ceil(outW / 2);
  const a1 = aLen, a2 = 2 * aLen, a3 = 3 * aLen;
  let wp = q0 % pairsPerRow;
  let t = (q0 - wp) / pairsPerRow;
  let oh = t % outH;
  t = (t - oh) / outH;
  let od = t % outD;
  let b = (t - od) / outD;
  for (let r = 0; r < rows; r++) {
    const r4 = r * MR;
    const d0 = od * strideD - padFront, h0 = oh * strideH - padTop, iw0 = 2 * wp - padLeft;
    const kdLo = firstTap(d0, dilD), kdHi = endTap(d0, dilD, inD, kD);
    const khLo = firstTap(h0, dilH), khHi = endTap(h0, dilH, inH, kH);
    if (!(kdLo === 0 && kdHi === kD && khLo === 0 && khHi === kH)) {
      for (let kk = 0; kk < kq; kk++) {
        const d = (kk >> 2) * rows4 + r4 + (kk & 3);
        dst[d] = 0; dst[a1 + d] = 0; dst[a2 + d] = 0; dst[a3 + d] = 0;
      }
    }
    const ok0 = iw0 >= 0 && iw0 < inW, ok1 = iw0 + 1 >= 0 && iw0 + 1 < inW;
    const ok2 = iw0 + 2 >= 0 && iw0 + 2 < inW, ok3 = iw0 + 3 >= 0 && iw0 + 3 < inW;
    for (let kd = kdLo; kd < kdHi; kd++) {
      const xD = (b * inD + d0 + kd * dilD) * inH;
      for (let kh = khLo; kh < khHi; kh++) {
        const xRow = ((xD + h0 + kh * dilH) * inW + iw0) * inC; // x index of (iw0, ci = 0), maybe outside
        const k0 = (kd * kH + kh) * inC;
        for (let ci = 0; ci < inC; ci++) {
          const s = xRow + ci, kk = k0 + ci;
          const x0 = ok0 ? x[s] : 0, x1 = ok1 ? x[s + inC] : 0;
          const x2 = ok2 ? x[s + 2 * inC] : 0, x3 = ok3 ? x[s + 3 * inC] : 0;
          const d = (kk >> 2) * rows4 + r4 + (kk & 3);
          dst[d] = x0 - x2; dst[a1 + d] = x1 + x2; dst[a2 + d] = x2 - x1; dst[a3 + d] = x1 - x3;
        }
      }
    }
    if (++wp === pairsPerRow) {
      wp = 0;
      if (++oh === outH) {
        oh = 0;
        if (++od === outD) { od = 0; b++; }
      }
    }
  }
  for (let kk = kq; kk & 3; kk++) {
    for (let r = 0; r < rows; r++) {
      const d = (kk >> 2) * rows4 + r * MR + (kk & 3);
      dst[d] = 0; dst[a1 + d] = 0; dst[a2 + d] = 0; dst[a3 + d] = 0;
    }
  }
}

/**
 * packWinogradDy:  the B operands A_t of the Winograd filter gradient, NR-column panels over
 * channels, pair-major:  dst[t·bLen + jp·rows·4 + 4r + j] = a_t(pair q0 + r, channel 4jp + j), with
 * a = [e0, e0 + e1, e0 − e1, −e1]; channels past N are zero.
 */
function packWinogradDy(g: ConvGeometry, dy: Float32Array, q0: number, rows: number, dst: Float64Array, bLen: number): void {
  const n = g.outC, outW = g.outW;
  const pairsPerRow = Math.ceil(outW / 2);
  const rows4 = rows * NR;
  const b1 = bLen, b2 = 2 * bLen, b3 = 3 * bLen;
  for (let r = 0; r < rows; r++) {
    const q = q0 + r;
    const wp = q % pairsPerRow, rowIdx = (q - wp) / pairsPerRow;
    const ow0 = 2 * wp;
    const y0 = (rowIdx * outW + ow0) * n;
    const second = ow0 + 1 < outW;
    for (let co = 0; co < n; co++) {
      const e0 = dy[y0 + co], e1 = second ? dy[y0 + n + co] : 0;
      const d = (co >> 2) * rows4 + r * NR + (co & 3);
      dst[d] = e0; dst[b1 + d] = e0 + e1; dst[b2 + d] = e0 - e1; dst[b3 + d] = -e1;
    }
  }
  for (let co = n; co & 3; co++) {
    for (let r = 0; r < rows; r++) {
      const d = (co >> 2) * rows4 + r * NR + (co & 3);
      dst[d] = 0; dst[b1 + d] = 0; dst[b2 + d] = 0; dst[b3 + d] = 0;
    }
  }
}

/** Rows of P and dY per small-K filter-gradient tile (both stay in L2 while every panel sweeps them). */
const SMALL_K_FILTER_ROWS = 1024;

/**
 * Filter gradient for a tiny patch width K (inC = 1 first layers): dW[K×N] += Pᵀ·dY per tile with
 * P gathered row-major (K values per row) and both operands read in place as float32 — packing dY
 * would cost as much as the products when K is this small.
 */
function convBackpropFilterSmallK(g: ConvGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array): void {
  const n = g.outC, k = patchK(g), m = outRows(g);
  const tile = Math.min(m, SMALL_K_FILTER_ROWS);
  const p = bufP(tile * k);
  for (let m0 = 0; m0 < m; m0 += tile) {
    const rows = Math.min(tile, m - m0);
    patchRows(g, x, m0, rows, p, false);
    for (let k0 = 0; k0 < k; k0 += 3) {
      const mr = Math.min(3, k - k0);
      for (let j0 = 0; j0 < n; j0 += NR) {
        convMicroPtDy3x4(rows, p, k0, k, mr, dy, m0 * n + j0, n, Math.min(NR, n - j0), dw, k0 * n + j0);
      }
    }
  }
}

/**
 * convMicroPtDy3x4:  dW[3×4] += Pᵀ[3×rows] · dY[rows×4], both read in place from float32:
 * Pᵀ(i, r) = p[r·k + pI + i] (i < mr, others read as a repeat of row 0 and are never written),
 * dY(r, j) = dy[dyI + r·n + j] (j < nr, likewise); dW(i, j) at dw[wI + i·n + j].
 */
function convMicroPtDy3x4(
  rows: number, p: Float32Array, pI: number, k: number, mr: number,
  dy: Float32Array, dyI: number, n: number, nr: number, dw: Float32Array, wI: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  // clamp the column offsets of a partial panel onto valid columns (their sums are discarded)
  const i1 = mr > 1 ? 1 : 0, i2 = mr > 2 ? 2 : 0;
  const j1 = nr > 1 ? 1 : 0, j2 = nr > 2 ? 2 : 0, j3 = nr > 3 ? 3 : 0;
  let pr = pI, dr = dyI;
  for (let r = 0; r < rows; r++) {
    const a0 = p[pr], a1 = p[pr + i1], a2 = p[pr + i2];
    const b0 = dy[dr], b1 = dy[dr + j1], b2 = dy[dr + j2], b3 = dy[dr + j3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    pr += k;
    dr += n;
  }
  if (mr === 3 && nr === 4) {
    const w0 = wI, w1 = wI + n, w2 = w1 + n;
    dw[w0] += c00; dw[w0 + 1] += c01; dw[w0 + 2] += c02; dw[w0 + 3] += c03;
    dw[w1] += c10; dw[w1 + 1] += c11; dw[w1 + 2] += c12; dw[w1 + 3] += c13;
    dw[w2] += c20; dw[w2 + 1] += c21; dw[w2 + 2] += c22; dw[w2 + 3] += c23;
    return;
  }
  const t = edge;
  t[0] = c00; t[1] = c01; t[2] = c02; t[3] = c03;
  t[4] = c10; t[5] = c11; t[6] = c12; t[7] = c13;
  t[8] = c20; t[9] = c21; t[10] = c22; t[11] = c23;
  for (let i = 0; i < mr; i++) for (let j = 0; j < nr; j++) dw[wI + i * n + j] += t[i * 4 + j];
}

// ── routes ─────────────────────────────────────────────────────────────────────────────────────

type ForwardRoute = 'winograd4' | 'winograd2' | 'plain' | 'gemm';

/** The forward route for g: the fastest one whose plan fits the constant workspaces. */
function forwardRoute(g: ConvGeometry): ForwardRoute {
  const kq = g.kD * g.kH * g.inC;
  if (useWinogradW4(g)) {
    const { tile, nc } = winograd4Plan(g);
    if (fits(6 * tile * kq, 6 * kq * roundUp(nc, NR))) return 'winograd4';
  }
  if (useWinogradW(g) || useWinogradW2(g)) {
    const { tile, nc } = winogradPlan(g), transforms = g.strideW === 2 ? 5 : 4;
    if (fits(transforms * tile * kq, 4 * kq * roundUp(nc, NR))) return 'winograd2';
  }
  const k = patchK(g), { tile, nc } = forwardPlan(g);
  return fits(tile * k, k * roundUp(nc, NR)) ? 'plain' : 'gemm';
}

type InputRoute = 'transposed' | 'smallK' | 'plain' | 'gemm';

function inputRoute(g: ConvGeometry): InputRoute {
  const k = patchK(g), n = g.outC;
  if (useTransposedForward(g)) return 'transposed';
  if (k <= SMALL_K && fits(0, Math.ceil(k / 3) * 3 * n)) return 'smallK';
  const { tile, nc, kb } = inputPlan(g);
  return fits(tile * nc, kb * nc) ? 'plain' : 'gemm';
}

type FilterRoute = 'smallK' | 'winograd' | 'plain' | 'gemm';

function filterRoute(g: ConvGeometry): FilterRoute {
  const k = patchK(g), n = g.outC;
  if (winogradFilterTransforms(g) > 0) return 'winograd';
  if (k <= SMALL_K) return 'smallK';
  const tile = filterPlan(g);
  return fits(tile * roundUp(k, MR), tile * roundUp(n, NR)) ? 'plain' : 'gemm';
}

// ── the GEMM route: any size (kernels/gemm.ts blocks K itself) ─────────────────────────────────

/** Float32 patch rows per GEMM-route tile (1 MiB), at least 8 rows. */
function gemmTile(g: ConvGeometry): number {
  return Math.max(1, Math.min(outRows(g), Math.max(8, Math.floor((1 << 18) / patchK(g)))));
}

/** Y = P·W (+ bias) with P built row-major `gemmTile` rows at a time and handed to gemm(). */
function convForwardGemm(g: ConvGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array): void {
  const n = g.outC, k = patchK(g), m = outRows(g);
  const tile = gemmTile(g);
  const p = bufP(tile * k);
  for (let m0 = 0; m0 < m; m0 += tile) {
    const rows = Math.min(tile, m - m0);
    patchRows(g, x, m0, rows, p, false);
    gemm(rows, n, k, 1, p, 0, k, 1, w, 0, n, 1, 0, y, m0 * n, n, 1);
    if (bias !== null) {
      for (let r = m0; r < m0 + rows; r++) {
        const yRow = r * n;
        for (let co = 0; co < n; co++) y[yRow + co] += bias[co];
      }
    }
  }
}

/** dP = dY·Wᵀ by gemm(), tile by tile, then col2im into dx (already zeroed). */
function convBackpropInputGemm(g: ConvGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const n = g.outC, k = patchK(g), m = outRows(g);
  const tile = gemmTile(g);
  const p = bufP(tile * k);
  for (let m0 = 0; m0 < m; m0 += tile) {
    const rows = Math.min(tile, m - m0);
    gemm(rows, k, n, 1, dy, m0 * n, n, 1, w, 0, 1, n, 0, p, 0, k, 1);
    patchRows(g, dx, m0, rows, p, true);
  }
}

/** dW = Σ Pᵀ·dY by gemm() (beta = 1 after the first tile). */
function convBackpropFilterGemm(g: ConvGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array): void {
  const n = g.outC, k = patchK(g), m = outRows(g);
  const tile = gemmTile(g);
  const p = bufP(tile * k);
  for (let m0 = 0; m0 < m; m0 += tile) {
    const rows = Math.min(tile, m - m0);
    patchRows(g, x, m0, rows, p, false);
    gemm(k, n, rows, 1, p, 0, 1, k, dy, m0 * n, n, 1, m0 === 0 ? 0 : 1, dw, 0, n, 1);
  }
}

/** db[co] = Σ_m dY[m, co]; db is overwritten. */
export function convBiasGrad(g: ConvGeometry, dy: Float32Array, db: Float32Array): void {
  const n = g.outC, m = outRows(g);
  const acc = new Float64Array(n);
  for (let r = 0; r < m; r++) {
    const row = r * n;
    for (let co = 0; co < n; co++) acc[co] += dy[row + co];
  }
  for (let co = 0; co < n; co++) db[co] = acc[co];
}

/** Peak temporary memory (bytes) one call of `pass` uses beyond its arguments. */
export function convWorkspaceBytes(g: ConvGeometry, pass: 'forward' | 'backpropInput' | 'backpropFilter'): number {
  const k = patchK(g), n = g.outC;
  if (pass === 'forward') {
    const route = forwardRoute(g);
    if (route === 'winograd4') {
      const { tile, nc } = winograd4Plan(g);
      return 6 * 8 * tile * (k / 3) + 6 * 8 * (k / 3) * roundUp(nc, NR) + 6 * 4 * tile * nc;
    }
    if (route === 'winograd2') {
      const { tile, nc } = winogradPlan(g), transforms = g.strideW === 2 ? 5 : 4;
      return transforms * 8 * tile * (k / 3) + 4 * 8 * (k / 3) * roundUp(nc, NR) + transforms * 4 * tile * nc;
    }
    if (route === 'gemm') return 4 * gemmTile(g) * k;
    const { tile, nc } = forwardPlan(g);
    return 8 * tile * k + 8 * k * roundUp(nc, NR);
  }
  if (pass === 'backpropInput') {
    const route = inputRoute(g);
    if (route === 'transposed') return 4 * k * n + convWorkspaceBytes(transposedGeometry(g), 'forward');
    if (route === 'smallK') return 8 * Math.ceil(k / 3) * 3 * n + 4 * smallKTile(g) * k;
    if (route === 'gemm') return 4 * gemmTile(g) * k;
    const { tile, nc, kb } = inputPlan(g);
    return 8 * tile * nc + 8 * kb * nc + 4 * tile * k;
  }
  const route = filterRoute(g);
  if (route === 'smallK') return 4 * Math.min(outRows(g), SMALL_K_FILTER_ROWS) * k;
  if (route === 'winograd') return winogradFilterBytes(g, winogradFilterTransforms(g));
  if (route === 'gemm') return 4 * gemmTile(g) * k;
  const tile = filterPlan(g);
  return 4 * tile * k + 8 * tile * roundUp(k, MR) + 8 * tile * roundUp(n, NR);
}
