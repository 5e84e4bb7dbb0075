/**
 * Real Chromium for the browser specs: Debian's `chromium` package (/usr/bin/chromium, or
 * $CHROMIUM_PATH) driven by puppeteer-core, which never downloads a browser. Each launch gets a fresh
 * profile directory (removed on close) and flags that keep it off the network: no QUIC, no background
 * networking, no component updates, no sync. Every console message and page error is recorded so a
 * spec can assert there were no errors.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import puppeteer, { Browser, Page } from 'puppeteer-core';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { startStaticServer } = require('../../scripts/static-server.js') as {
  startStaticServer(opts: { mounts: Record<string, string>; port?: number; index?: string }): Promise<{ url: string; port: number; close(): Promise<void> }>;
};

export const root = path.resolve(__dirname, '..', '..');
export const outDir = path.join(root, 'test-output', 'browser');

export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[];
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) {
    throw new Error(`spec-browser: no Chromium found (tried ${candidates.join(', ')}); install Debian's package as root: ` +
      `apt-get update && apt-get install -y chromium, or set CHROMIUM_PATH`);
  }
  return found;
}

export interface ConsoleEntry { type: string; text: string; where: string }

export interface Harness {
  browser: Browser;
  url: string;
  console: ConsoleEntry[];
  /** console.error/warn messages, page errors, failed requests: what "no console errors" checks. */
  errors(): ConsoleEntry[];
  newPage(pathname: string): Promise<Page>;
  close(): Promise<void>;
}

/** The server mounts used by every browser spec. */
export const MOUNTS: Record<string, string> = {
  '/dist/': path.join(root, 'dist'),
  '/out/': outDir,
  '/fixtures/': path.join(root, 'spec-browser', 'fixtures'),
};

/** A browser and a static server for `mounts`; or, given `url`, a browser pointed at a server run elsewhere. */
export async function startHarness(opts: { mounts?: Record<string, string>; url?: string } = {}): Promise<Harness> {
  const server = opts.url !== undefined
    ? { url: opts.url.replace(/\/$/, ''), close: async () => undefined }
    : await startStaticServer({ mounts: opts.mounts ?? MOUNTS });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ridge-chromium-'));
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath: chromiumPath(),
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`],
    });
  } catch (e) {
    await server.close();
    fs.rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  const log: ConsoleEntry[] = [];
  const pages: Page[] = [];
  return {
    browser,
    url: server.url,
    console: log,
    errors: () => log.filter((e) => e.type === 'error' || e.type === 'warn' || e.type === 'pageerror' || e.type === 'requestfailed'),
    async newPage(pathname: string) {
      const page = await browser.newPage();
      pages.push(page);
      page.on('console', (msg) => log.push({ type: msg.type() as string === 'warning' ? 'warn' : msg.type(), text: msg.text(), where: pathname }));
      page.on('pageerror', (err) => log.push({ type: 'pageerror', text: String((err as Error).stack ?? err), where: pathname }));
      page.on('requestfailed', (req) => log.push({ type: 'requestfailed', text: `${req.url()} ${req.failure()?.errorText}`, where: pathname }));
      page.on('response', (res) => { if (res.status() >= 400) log.push({ type: 'error', text: `HTTP ${res.status()} ${res.url()}`, where: pathname }); });
      await page.goto(server.url + pathname, { waitUntil: 'load' });
      return page;
    },
    async close() {
      try { await browser.close(); } finally {
        await server.close();
        fs.rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}
