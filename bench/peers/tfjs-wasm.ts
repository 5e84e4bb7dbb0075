/**
 * Parent side of the tfjs-backend-wasm measurements: spawn tfjs-wasm-child.ts in its own Node
 * process (see that file for why), forward its progress, parse its result.
 *
 * This module must not import @tensorflow/tfjs-backend-wasm, nor anything that does: the main
 * process never loads it (bench/run.ts checks require.cache at the end).
 */
import { spawn } from 'child_process';
import * as path from 'path';
import { BenchSettings } from '../measure';
import { ResultRow } from '../report';

export interface WasmChildRequest {
  shapes: string[];
  settings: BenchSettings;
}

export interface WasmChildResult {
  simd: boolean;
  threads: boolean;
  binary: string;
  rows: ResultRow[];
}

/** Run the child and resolve with its result; rejects with its exit status and last output lines. */
export function runWasmChild(req: WasmChildRequest, log: (line: string) => void): Promise<WasmChildResult> {
  const child = spawn(process.execPath, [
    '-r', require.resolve('ts-node/register/transpile-only'),
    path.join(__dirname, 'tfjs-wasm-child.ts'),
    JSON.stringify(req),
  ], { cwd: path.join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] });
  // Never leave the child behind if this process ends first (Ctrl-C, an exception).
  const killChild = (): void => { if (child.exitCode === null) child.kill(); };
  process.once('exit', killChild);
  let stdout = '';
  let errTail: string[] = [];
  let partial = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) {
      if (l.trim() === '') continue;
      log(l);
      errTail = [...errTail.slice(-9), l];
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      process.removeListener('exit', killChild);
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line !== undefined) {
        resolve(JSON.parse(line.slice('RESULT '.length)) as WasmChildResult);
      } else {
        reject(new Error(`tfjs-wasm child exited with ${code}: ${[...errTail, partial].join(' | ')}`));
      }
    });
  });
}
