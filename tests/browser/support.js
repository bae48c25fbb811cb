// What the browser tests share: the demo server (scripts/serve.js, in this process, on a free
// port), Debian's Chromium driven by playwright-core with a fresh profile, a log of every
// console error and uncaught exception, and a folder for screenshots (test-artifacts/).
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStaticServer, demoMounts } from '../../scripts/serve.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = process.env.MNV2_SHARED ?? path.resolve(repoRoot, '../shared');
export const imagesDir = path.join(sharedDir, 'images');
export const artifactsDir = path.join(repoRoot, 'test-artifacts');

// The backend int8 models run in Chromium on this machine: V8 computes relaxed SIMD's integer
// dot product exactly (vpdpbusd) where the CPU has AVX-VNNI, and the engine then runs int8 on
// it ('relaxed-simd'); elsewhere int8 runs SIMD128.
export const CPU_HAS_AVX_VNNI = /^flags\s*:.*\bavx_vnni\b/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
export const INT8_BACKEND = CPU_HAS_AVX_VNNI ? 'relaxed-simd' : 'simd';

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

/** tests/browser/fixtures, served at /fixtures/ (a mount for startServer). */
export const fixturesMount = { prefix: '/fixtures/', dir: path.join(repoRoot, 'tests/browser/fixtures') };

/** Starts an http.Server on a free port of 127.0.0.1; resolves to {port, url, close()}. */
export async function listen(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    port,
    url: `http://localhost:${port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}

/** scripts/serve.js's request handler for the demo mounts (/web, /dist, /weights, ...). */
export function demoFiles(extraMounts = []) {
  return createStaticServer({ mounts: [...demoMounts({ imagesDir }), ...extraMounts] }).listeners('request')[0];
}

/** Serves the demo mounts plus any extra ones; resolves to {port, url, close()}. */
export async function startServer(extraMounts = []) {
  return listen(createStaticServer({ mounts: [...demoMounts({ imagesDir }), ...extraMounts] }));
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

/**
 * For a test file: before its tests, starts a server (startServer(), or what makeServer
 * resolves to: {port, url, close()}) and Chromium; after them, closes both. The returned
 * session's url, port and context are valid inside the tests.
 */
export function useBrowserSession(makeServer = () => startServer()) {
  let server;
  let browser;
  before(async () => {
    server = await makeServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    get url() { return server.url; },
    get port() { return server.port; },
    get context() { return browser.context; },
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

/**
 * Opens the demo page (with `query`, e.g. '?worker=1') in a new page of the session's browser
 * and waits until its model is ready; resolves to openPage()'s {page, errors}.
 */
export async function openDemo(session, query = '', timeout = 60_000) {
  const { page, errors } = await openPage(session.context);
  await page.goto(`${session.url}/${query}`);
  await page.locator('#status', { hasText: 'Ready' }).waitFor({ timeout });
  return { page, errors };
}

/** Serves `page` without the two headers that make it cross-origin isolated (COOP, COEP). */
export async function withoutIsolation(page) {
  await page.route('**/*', async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers['cross-origin-opener-policy'];
    delete headers['cross-origin-embedder-policy'];
    await route.fulfill({ response, headers });
  });
}
