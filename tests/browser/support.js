// What the browser tests share: the demo server (scripts/serve.js, in this process, on a free
// port), Debian's Chromium driven by playwright-core with a fresh profile, a log of every
// console error and uncaught exception, and a folder for screenshots (test-artifacts/).
import { chromium } from 'playwright-core';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStaticServer, demoMounts } from '../../scripts/serve.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = process.env.MNV2_SHARED ?? path.resolve(repoRoot, '../shared');
export const imagesDir = path.join(sharedDir, 'images');
export const artifactsDir = path.join(repoRoot, 'test-artifacts');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Flags from the machine notes: no sandbox (root), and no background traffic, which this
// machine's closed network would refuse.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  // A fake camera for the webcam test, granted without a prompt.
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];

/** Serves the demo mounts plus any extra ones; resolves to {url, close()}. */
export async function startServer(extraMounts = []) {
  const server = createStaticServer({ mounts: [...demoMounts({ imagesDir }), ...extraMounts] });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://localhost:${server.address().port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}

/** Chromium with a new empty profile; close() also deletes the profile. */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: run bash scripts/setup.sh (it installs Debian's chromium)`);
  const profile = mkdtempSync(path.join(os.tmpdir(), 'mnv2-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A new page that records console errors and uncaught exceptions, its workers' included. */
export async function openPage(context) {
  const page = await context.newPage();
  const errors = [];
  const watchConsole = (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  };
  page.on('console', watchConsole);
  page.on('pageerror', (error) => errors.push(`exception: ${error.message}`));
  page.on('worker', (worker) => worker.on('console', watchConsole));
  return { page, errors };
}

export function screenshotPath(name) {
  mkdirSync(artifactsDir, { recursive: true });
  return path.join(artifactsDir, name);
}
