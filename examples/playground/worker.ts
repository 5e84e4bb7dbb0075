/**
 * The playground's Web Worker: owns the Session (session.ts) so training never blocks the page.
 * Messages in:  { type: 'reset', config } | { type: 'step', steps } | { type: 'start', stepsPerTick } | { type: 'pause' }
 * Messages out: { type: 'snapshot', snapshot, running } | { type: 'paused', step } | { type: 'error', message }
 * Messages are handled one at a time, in order; while running, each tick trains `stepsPerTick` steps,
 * posts a snapshot and yields (setTimeout) so a 'pause' gets through.
 */
import { Session, SessionConfig } from './session';

type Message =
  | { type: 'reset'; config: SessionConfig }
  | { type: 'step'; steps: number }
  | { type: 'start'; stepsPerTick?: number }
  | { type: 'pause' };

const scope = self as unknown as { postMessage(m: unknown): void; onmessage: ((e: { data: Message }) => void) | null };
const post = (m: unknown) => scope.postMessage(m);

let session: Session | null = null;
let running = false;
let stepsPerTick = 5;
let queue: Promise<void> = Promise.resolve();

function snapshot(withPoints = false): void {
  if (session) post({ type: 'snapshot', snapshot: session.snapshot(withPoints), running });
}

async function handle(msg: Message): Promise<void> {
  switch (msg.type) {
    case 'reset':
      running = false;
      session = new Session(msg.config);
      snapshot(true);
      break;
    case 'step':
      running = false;
      if (session) { await session.steps(msg.steps); snapshot(); }
      break;
    case 'start':
      stepsPerTick = msg.stepsPerTick ?? stepsPerTick;
      if (!running && session) { running = true; setTimeout(tick, 0); }
      break;
    case 'pause':
      running = false;
      post({ type: 'paused', step: session ? session.step : 0 });
      break;
  }
}

function tick(): void {
  queue = queue.then(async () => {
    if (!running || !session) return;
    await session.steps(stepsPerTick);
    snapshot();
    if (running) setTimeout(tick, 0);
  }).catch(fail);
}

function fail(e: unknown): void {
  running = false;
  post({ type: 'error', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
}

scope.onmessage = (e) => { queue = queue.then(() => handle(e.data)).catch(fail); };
