/**
 * Weight bytes: the `weightSpecs` + `weightData` of a TensorFlow.js layers-model artifact.
 *
 *   weightData = bytes(w_0) ‖ bytes(w_1) ‖ …        in weightSpecs order, no padding, little-endian
 *   bytes(w)   = float32 / int32: 4 bytes a value     bool: 1 byte
 *                quantized uint8 / uint16:  value = q · scale + min   (1 or 2 bytes)
 *                quantized float16:         IEEE half precision       (2 bytes)
 *
 * Shards (`weightsManifest[g].paths`) are cut from this one stream at any byte, so a weight may
 * start in one shard and end in the next: loaders concatenate every shard of every group in order.
 * Decoding checks everything before it allocates: specs well formed, sizes that add up exactly to
 * the bytes given (a truncated or oversized buffer is a ValueError), and no NaN or ±Infinity.
 */
import { ConfigError, ValueError, fmtShape, fmtValue } from '../errors';
import { isPlainObject } from './keras-config';

export type WeightDtype = 'float32' | 'int32' | 'bool' | 'string' | 'complex64';
export type QuantizationDtype = 'uint8' | 'uint16' | 'float16';

export interface WeightsManifestEntry {
  name: string;
  shape: number[];
  dtype: WeightDtype;
  group?: 'model' | 'optimizer';
  quantization?: { dtype: QuantizationDtype; scale?: number; min?: number };
}

export interface WeightsManifestGroupConfig {
  paths: string[];
  weights: WeightsManifestEntry[];
}

/** A weight to encode: float32 values, or int32 (the optimizer's `iter`). */
export interface NamedWeight {
  name: string;
  shape: number[];
  values: Float32Array | Int32Array;
  group?: 'model' | 'optimizer';
}

/** A decoded weight (every dtype is widened to float32 values, as Ridge computes in float32). */
export interface DecodedWeight {
  spec: WeightsManifestEntry;
  values: Float32Array;
}

/** An ArrayBuffer, also one made in another realm (a vm context, a worker's copy). */
export function isArrayBuffer(v: unknown): v is ArrayBuffer {
  return v instanceof ArrayBuffer || Object.prototype.toString.call(v) === '[object ArrayBuffer]';
}

/** Concatenates byte buffers into one fresh ArrayBuffer (the inputs are left untouched). */
export function concatBuffers(buffers: readonly ArrayBuffer[]): ArrayBuffer {
  let n = 0;
  for (const b of buffers) n += b.byteLength;
  const out = new Uint8Array(n);
  let o = 0;
  for (const b of buffers) { out.set(new Uint8Array(b), o); o += b.byteLength; }
  return out.buffer;
}

/** Specs and bytes for these weights (tfjs' io.encodeWeights, float32 and int32 only). */
export function encodeWeights(weights: readonly NamedWeight[]): { data: ArrayBuffer; specs: WeightsManifestEntry[] } {
  let bytes = 0;
  for (const w of weights) bytes += 4 * w.values.length;
  const data = new ArrayBuffer(bytes);
  const view = new DataView(data);
  const specs: WeightsManifestEntry[] = [];
  let o = 0;
  for (const w of weights) {
    const isInt = w.values instanceof Int32Array;
    const spec: WeightsManifestEntry = { name: w.name, shape: w.shape.slice(), dtype: isInt ? 'int32' : 'float32' };
    if (w.group === 'optimizer') spec.group = 'optimizer';
    specs.push(spec);
    const v = w.values;
    if (isInt) for (let i = 0; i < v.length; i++, o += 4) view.setInt32(o, v[i], true);
    else for (let i = 0; i < v.length; i++, o += 4) view.setFloat32(o, v[i], true);
  }
  return { data, specs };
}

/** IEEE 754 half → number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;                     // zero and subnormals
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** Validates one spec (shape, dtype, quantization); returns its element count and byte length. */
function checkSpec(spec: unknown, i: number, where: string): { size: number; bytes: number } {
  if (!isPlainObject(spec)) throw new ConfigError(`${where}: weightSpecs[${i}] must be an object { name, shape, dtype }, got ${fmtValue(spec)}`);
  const { name, shape, dtype, quantization } = spec;
  if (typeof name !== 'string' || name === '') throw new ConfigError(`${where}: weightSpecs[${i}].name must be a non-empty string, got ${fmtValue(name)}`);
  const at = `${where}: weight '${name}'`;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
    throw new ConfigError(`${at}: shape must be an array of integers >= 0, got ${fmtValue(shape)}`);
  }
  let size = 1;
  for (const d of shape as number[]) size *= d;
  if (!Number.isSafeInteger(size) || size > 2 ** 31) throw new ValueError(`${at}: shape ${fmtShape(shape as number[])} has ${size} values, more than Ridge can hold`);
  if (dtype === 'string' || dtype === 'complex64') throw new ConfigError(`${at}: dtype '${dtype}' is not supported (Ridge weights are float32; float32, int32 and bool load)`);
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') {
    throw new ConfigError(`${at}: dtype must be 'float32', 'int32' or 'bool', got ${fmtValue(dtype)}`);
  }
  if (spec.group !== undefined && spec.group !== 'model' && spec.group !== 'optimizer') {
    throw new ConfigError(`${at}: group must be 'model' or 'optimizer', got ${fmtValue(spec.group)}`);
  }
  if (quantization === undefined || quantization === null) return { size, bytes: size * BYTES[dtype] };
  if (!isPlainObject(quantization)) throw new ConfigError(`${at}: quantization must be an object { dtype, scale?, min? }, got ${fmtValue(quantization)}`);
  const q = quantization.dtype;
  if (q !== 'uint8' && q !== 'uint16' && q !== 'float16') {
    throw new ConfigError(`${at}: quantization.dtype must be 'uint8', 'uint16' or 'float16', got ${fmtValue(q)}`);
  }
  if (q === 'float16' && dtype !== 'float32') throw new ConfigError(`${at}: float16 quantization is for float32 weights, got dtype '${dtype}'`);
  if (q !== 'float16') {
    for (const k of ['scale', 'min'] as const) {
      const v = quantization[k];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(`${at}: ${q} quantization needs a finite ${k}, got ${fmtValue(v)}`);
    }
  }
  return { size, bytes: size * BYTES[q] };
}

/**
 * Decodes `data` by `specs`: every spec checked, the total byte length exactly data.byteLength,
 * every value finite. `where` names the source (file or URL) in every message.
 */
export function decodeWeights(data: unknown, specs: unknown, where: string): DecodedWeight[] {
  if (!Array.isArray(specs)) throw new ConfigError(`${where}: weightSpecs must be an array, got ${fmtValue(specs)}`);
  let buffer: ArrayBuffer;
  if (isArrayBuffer(data)) buffer = data;
  else if (Array.isArray(data) && data.every(isArrayBuffer)) buffer = concatBuffers(data);
  else if (ArrayBuffer.isView(data)) buffer = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice().buffer;
  else throw new ConfigError(`${where}: weightData must be an ArrayBuffer (or an array of them, one per shard), got ${fmtValue(data)}`);
  const layout = specs.map((s, i) => checkSpec(s, i, where));
  const total = layout.reduce((n, l) => n + l.bytes, 0);
  if (buffer.byteLength !== total) {
    let o = 0, cut = '';
    for (let i = 0; i < specs.length; i++) {
      if (o + layout[i].bytes > buffer.byteLength) {
        cut = `; weight '${(specs[i] as WeightsManifestEntry).name}' ${fmtShape((specs[i] as WeightsManifestEntry).shape)} needs bytes ${o}..${o + layout[i].bytes} but the data ends at ${buffer.byteLength}`;
        break;
      }
      o += layout[i].bytes;
    }
    const kind = buffer.byteLength < total ? 'truncated' : 'oversized';
    throw new ValueError(`${where}: weight data is ${kind}: the weight specs describe ${total} bytes, got ${buffer.byteLength}${cut}`);
  }
  const view = new DataView(buffer);
  const out: DecodedWeight[] = [];
  let o = 0;
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i] as WeightsManifestEntry;
    const { size, bytes } = layout[i];
    const values = new Float32Array(size);
    const q = spec.quantization?.dtype;
    if (q === 'uint8' || q === 'uint16') {
      const { scale, min } = spec.quantization as { scale: number; min: number };
      const round = spec.dtype === 'int32';
      for (let k = 0; k < size; k++) {
        const v = (q === 'uint8' ? view.getUint8(o + k) : view.getUint16(o + 2 * k, true)) * scale + min;
        values[k] = round ? Math.round(v) : v;
      }
    } else if (q === 'float16') {
      for (let k = 0; k < size; k++) values[k] = halfToFloat(view.getUint16(o + 2 * k, true));
    } else if (spec.dtype === 'float32') {
      for (let k = 0; k < size; k++) values[k] = view.getFloat32(o + 4 * k, true);
    } else if (spec.dtype === 'int32') {
      for (let k = 0; k < size; k++) values[k] = view.getInt32(o + 4 * k, true);
    } else {
      for (let k = 0; k < size; k++) values[k] = view.getUint8(o + k) ? 1 : 0;
    }
    for (let k = 0; k < size; k++) {
      const v = values[k];
      if (v - v !== 0) throw new ValueError(`${where}: weight '${spec.name}' ${fmtShape(spec.shape)} holds ${v} at index ${k} (bytes ${o}..${o + bytes} of the weight data); a saved weight must be finite`);
    }
    out.push({ spec: { ...spec, shape: spec.shape.slice() }, values });
    o += bytes;
  }
  return out;
}
