/**
 * fit()'s `verbose: 1` output. On a terminal (stdout is a TTY) one line per epoch is redrawn in
 * place with '\r' (at most every 100 ms):
 *
 *   Epoch 3/10 [==========>.........] 17/32 ETA 1.2s  loss 0.4312 (penalty 12.4%)  accuracy 0.9120
 *
 * Elsewhere (CI logs, files, browsers) one plain line is printed at the end of each epoch:
 *
 *   Epoch 3/10 32/32 2.1s  loss 0.4312 (penalty 12.4%)  data_loss 0.3777  val_loss 0.4400 …
 *
 * "penalty" is the share of the loss that the regularizers contribute: (loss − data_loss) / loss.
 * No Node import: stdout is looked up on globalThis.process when it exists, else console.log.
 */
import type { Logs } from './callbacks';

interface Stdout { isTTY?: boolean; write(s: string): unknown; columns?: number }

function stdout(): Stdout | null {
  const p = (globalThis as { process?: { stdout?: Stdout } }).process;
  return p && p.stdout && typeof p.stdout.write === 'function' ? p.stdout : null;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toFixed(4);
}

function fmtTime(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${Math.round(s - 60 * m).toString().padStart(2, '0')}s`;
}

function lossPart(logs: Logs): string {
  let s = `loss ${fmt(logs.loss)}`;
  if (logs.data_loss !== undefined && Number.isFinite(logs.loss) && logs.loss !== 0) {
    s += ` (penalty ${(((logs.loss - logs.data_loss) / logs.loss) * 100).toFixed(1)}%)`;
  }
  return s;
}

export class ProgressBar {
  private readonly out: Stdout | null = stdout();
  private readonly tty: boolean;
  private start = 0;
  private lastDraw = 0;

  /** `redraw` false (verbose 2) prints one line per epoch even on a terminal. */
  constructor(private readonly epochs: number, private readonly batches: number, redraw = true) {
    this.tty = redraw && !!(this.out && this.out.isTTY);
  }

  epochBegin(): void {
    this.start = Date.now();
    this.lastDraw = 0;
  }

  /** After batch `done` (1-based count) with the running epoch averages. */
  batchEnd(epoch: number, done: number, running: Logs): void {
    if (!this.tty) return;
    const now = Date.now();
    if (done < this.batches && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = 20;
    const filled = Math.floor((width * done) / this.batches);
    const bar = '='.repeat(Math.max(0, filled - 1)) + (filled > 0 ? (done === this.batches ? '=' : '>') : '') + '.'.repeat(width - filled);
    const elapsed = (now - this.start) / 1000;
    const eta = (elapsed / done) * (this.batches - done);
    const extra = Object.keys(running).filter((k) => k !== 'loss' && k !== 'data_loss').map((k) => `  ${k} ${fmt(running[k])}`).join('');
    this.out!.write(`\rEpoch ${epoch + 1}/${this.epochs} [${bar}] ${done}/${this.batches} ETA ${fmtTime(eta)}  ${lossPart(running)}${extra}\x1b[K`);
  }

  epochEnd(epoch: number, logs: Logs): void {
    const elapsed = (Date.now() - this.start) / 1000;
    const rest = Object.keys(logs)
      .filter((k) => k !== 'loss')
      .map((k) => `${k} ${fmt(logs[k])}`)
      .join('  ');
    const line = `Epoch ${epoch + 1}/${this.epochs} ${this.batches}/${this.batches} ${fmtTime(elapsed)}  ${lossPart(logs)}${rest ? '  ' + rest : ''}`;
    if (this.tty) this.out!.write(`\r${line}\x1b[K\n`);
    else if (this.out) this.out.write(line + '\n');
    else console.log(line);
  }
}
