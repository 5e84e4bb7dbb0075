/**
 * Parent side of the tfjs-backend-wasm measurements: a long-lived child process
 * (tfjs-wasm-child.ts, see there for why it must be separate) that measures one shape and pass
 * per request, so the wasm timing sits right next to the main process's timings of the same
 * shape and pass.
 *
 * This module must not import @tensorflow/tfjs-backend-wasm, nor anything that does: the main
 * process never loads it (bench/run.ts checks require.cache at the end).
 */
import { ChildProcessWithoutNullStreams, spawn } from 'child_process';
import * as path from 'path';
import * as readline from 'readline';
import { BenchSettings } from '../measure';
import { ResultRow } from '../report';
import { Pass } from '../shapes';

export interface WasmInfo {
  simd: boolean;
  threads: boolean;
  binary: string;
  dir: string;
}

export class WasmPeer {
  private waiting: { resolve: (v: string) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | null = null;
  private readonly killOnExit = (): void => { if (this.child.exitCode === null) this.child.kill(); };

  private constructor(private readonly child: ChildProcessWithoutNullStreams, log: (line: string) => void) {
    // Never leave the child behind if this process ends first (Ctrl-C, an exception).
    process.once('exit', this.killOnExit);
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('READY ') && !line.startsWith('ROW ')) {
        if (line.trim() !== '') log(`  [tfjs-wasm] ${line}`); // stray output of the library
        return;
      }
      const w = this.waiting.shift();
      if (w) w.resolve(line);
    });
    readline.createInterface({ input: child.stderr }).on('line', (line) => {
      if (line.trim() !== '') log(`  [tfjs-wasm] ${line}`);
    });
    child.on('close', (code) => {
      process.removeListener('exit', this.killOnExit);
      this.failure = new Error(`tfjs-wasm child exited with ${code}`);
      for (const w of this.waiting.splice(0)) w.reject(this.failure);
    });
  }

  private next(): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Spawn the child and wait until its backend is up. */
  static async start(settings: BenchSettings, log: (line: string) => void): Promise<{ peer: WasmPeer; info: WasmInfo }> {
    const child = spawn(process.execPath, [
      '-r', require.resolve('ts-node/register/transpile-only'),
      path.join(__dirname, 'tfjs-wasm-child.ts'),
      JSON.stringify(settings),
    ], { cwd: path.join(__dirname, '..', '..'), stdio: ['pipe', 'pipe', 'pipe'] });
    const peer = new WasmPeer(child, log);
    const line = await peer.next();
    if (!line.startsWith('READY ')) throw new Error(`tfjs-wasm child: expected READY, got ${line}`);
    return { peer, info: JSON.parse(line.slice('READY '.length)) as WasmInfo };
  }

  /** Measure one shape and pass in the child. */
  async measure(shape: string, pass: Pass): Promise<ResultRow> {
    const reply = this.next();
    this.child.stdin.write(`${JSON.stringify({ shape, pass })}\n`);
    const line = await reply;
    if (!line.startsWith('ROW ')) throw new Error(`tfjs-wasm child: expected ROW, got ${line}`);
    return JSON.parse(line.slice('ROW '.length)) as ResultRow;
  }

  /** Close the child's stdin and wait for it to exit. */
  close(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('close', () => resolve());
      this.child.stdin.end();
    });
  }
}
