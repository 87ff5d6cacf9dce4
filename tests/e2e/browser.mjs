// What the browser journeys share: a free port, waiting for a server, Debian's Chromium with the flags this
// machine needs, and axe-core's WCAG 2.2 A/AA check. Not a test file itself (node --test runs *.test.mjs).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** The project's folder, where the server runs from. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The server binary scripts/test built (or the one named by ACADEMY_BIN). */
export const academyBin = process.env.ACADEMY_BIN ?? join(root, 'target', 'debug', 'server');

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

/** A loopback port nothing listens on now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Waits until `url` answers 2xx; fails with `log` (what the servers printed) after `deadlineMs`. */
export async function waitFor(url, deadlineMs, log) {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`nothing answered at ${url}:\n${log.join('')}`);
}

/**
 * A test server's settings: its own SQLite database, key and mail folders in `workDir`, the test content, at
 * `http://127.0.0.1:<port>`; `extra` adds or replaces settings.
 */
export function academyEnv(workDir, port, extra = {}) {
  return {
    ...process.env,
    DATABASE_URL: `sqlite://${join(workDir, 'e2e.sqlite3')}?mode=rwc`,
    CONTENT_DIR: join(root, 'tests', 'fixtures', 'valid'),
    BIND_ADDRESS: `127.0.0.1:${port}`,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    KEY_DIR: join(workDir, 'keys'),
    MAIL_DIR: join(workDir, 'mail'),
    LEPTOS_SITE_ROOT: process.env.ACADEMY_SITE_ROOT ?? join(root, 'target', 'site'),
    RUST_LOG: 'warn',
    ...extra,
  };
}

/** Starts `server serve` with `env`, keeping what it prints in `log`; resolves with it once it answers. */
export async function serveAcademy(env, log) {
  const server = spawn(academyBin, ['serve'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout.on('data', (d) => log.push(d.toString()));
  server.stderr.on('data', (d) => log.push(d.toString()));
  await waitFor(env.PUBLIC_URL, 30_000, log);
  return server;
}

/** Debian's Chromium, headless, with the flags this machine needs (no sandbox, no network of its own). */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** Fails if axe-core finds WCAG 2.2 A/AA violations on the page. */
export async function expectNoAxeViolations(page, what) {
  // Evaluated through DevTools rather than added as a <script>, so the page's CSP stays in force.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }, WCAG_TAGS);
  assert.deepEqual(violations, [], `axe found WCAG violations on ${what}`);
}
