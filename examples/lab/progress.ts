/**
 * One progress bar per variant, spanning all its epochs:
 *
 *   [2/6] l2=1e-3          [==========>.........]  epoch 8/15  loss 0.2113 (penalty 31.0%)  test acc 94.1%  ETA 9s
 *
 * On a terminal the line is redrawn in place ('\r', at most every 100 ms) and ends with a summary;
 * elsewhere (CI logs, files) one plain line is printed per epoch. Written as fit() callbacks, so
 * fit runs with verbose 0.
 */
/** fit's epoch/batch logs (callbacks.Logs). */
type Logs = Record<string, number>;

export interface ProgressSink {
  write(s: string): unknown;
  isTTY?: boolean;
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  return `${Math.floor(s / 60)}m${Math.round(s % 60).toString().padStart(2, '0')}s`;
}

export class VariantProgress {
  private start = Date.now();
  private lastDraw = 0;
  private epoch = 0;
  private lastEpochLogs: Logs | null = null;
  private readonly tty: boolean;

  constructor(
    private readonly sink: ProgressSink | null,
    private readonly head: string,
    private readonly epochs: number,
    private readonly batchesPerEpoch: number,
  ) {
    this.tty = !!sink?.isTTY;
  }

  private bar(done: number, total: number): string {
    const width = 20;
    const filled = Math.min(width, Math.floor((width * done) / total));
    if (filled >= width) return '='.repeat(width);
    return '='.repeat(Math.max(0, filled - 1)) + (filled > 0 ? '>' : '') + '.'.repeat(width - filled);
  }

  private status(logs: Logs | null): string {
    if (!logs) return '';
    let s = `loss ${Number.isFinite(logs.loss) ? logs.loss.toFixed(4) : String(logs.loss)}`;
    if (logs.data_loss !== undefined && logs.loss > 0) s += ` (penalty ${(((logs.loss - logs.data_loss) / logs.loss) * 100).toFixed(1)}%)`;
    if (logs.val_accuracy !== undefined) s += `  test acc ${(logs.val_accuracy * 100).toFixed(1)}%`;
    return s;
  }

  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
    if (epoch === 0) this.start = Date.now();
  }

  onBatchEnd(batch: number, logs: Logs): void {
    if (!this.tty || !this.sink) return;
    const now = Date.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const done = this.epoch * this.batchesPerEpoch + batch + 1;
    const total = this.epochs * this.batchesPerEpoch;
    const elapsed = (now - this.start) / 1000;
    const eta = (elapsed / done) * (total - done);
    const shown = this.lastEpochLogs ?? logs;
    this.sink.write(`\r${this.head} [${this.bar(done, total)}]  epoch ${this.epoch + 1}/${this.epochs}  ${this.status(shown)}  ETA ${fmtTime(eta)}\x1b[K`);
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    this.lastEpochLogs = logs;
    if (!this.sink) return;
    const elapsed = (Date.now() - this.start) / 1000;
    if (this.tty) {
      const done = (epoch + 1) * this.batchesPerEpoch;
      const total = this.epochs * this.batchesPerEpoch;
      this.sink.write(`\r${this.head} [${this.bar(done, total)}]  epoch ${epoch + 1}/${this.epochs}  ${this.status(logs)}  ${fmtTime(elapsed)}\x1b[K`);
    } else {
      this.sink.write(`${this.head} epoch ${epoch + 1}/${this.epochs}  ${this.status(logs)}  ${fmtTime(elapsed)}\n`);
    }
  }

  onTrainEnd(): void {
    if (this.sink && this.tty) this.sink.write('\n');
  }
}

/**
 * The lab's progress: a header per experiment and a line per training run (variant · seed), the
 * line redrawn in place per epoch on a terminal:
 *
 *   [1/4] growth — claim 1: training longer grows the weights and overfits
 *     mnist none · seed 42        epoch 12/20
 *     mnist none · seed 42        20 epochs  4.1 s  test loss 0.81
 */
export class LabProgress {
  private readonly tty: boolean;
  constructor(private readonly sink: ProgressSink | null) {
    this.tty = !!sink?.isTTY;
  }

  experiment(index: number, count: number, name: string, claim: string): void {
    this.sink?.write(`\n[${index + 1}/${count}] ${name} — ${claim}\n`);
  }

  note(text: string): void {
    this.sink?.write(`  ${text}\n`);
  }

  /** A training run; call epoch() from a fit callback and done() at the end. */
  run(label: string): { epoch(e: number, total: number): void; done(summary: string): void } {
    const head = `  ${label.padEnd(34)}`;
    const start = Date.now();
    let last = 0;
    return {
      epoch: (e: number, total: number) => {
        if (!this.tty || !this.sink) return;
        const now = Date.now();
        if (now - last < 100 && e + 1 < total) return;
        last = now;
        this.sink.write(`\r${head} epoch ${e + 1}/${total}\x1b[K`);
      },
      done: (summary: string) => {
        if (!this.sink) return;
        const s = ((Date.now() - start) / 1000).toFixed(1);
        this.sink.write(`${this.tty ? '\r' : ''}${head} ${s.padStart(5)} s  ${summary}${this.tty ? '\x1b[K' : ''}\n`);
      },
    };
  }
}
