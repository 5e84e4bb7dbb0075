/** Where progress goes: process.stdout in the CLI (redrawn in place on a terminal). */
export interface ProgressSink {
  write(s: string): unknown;
  isTTY?: boolean;
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
