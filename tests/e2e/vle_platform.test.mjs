// The academy against a VLE the project did not write: PyPI's lti1p3platform 0.1.8, served by the glue in
// tests/lti/platform.py. In Chromium, a learner launches into a module and completes it, and the score reaches
// the platform's gradebook (the academy's token request checked by the platform against the academy's keys);
// a teacher's Deep Linking request places a module, and the platform accepts the academy's signed answer.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  academyBin, academyEnv, expectNoAxeViolations, freePort, launchChromium, root, serveAcademy, waitFor,
} from './browser.mjs';

let server;
let platform;
let browser;
let baseUrl;
let issuer;
let workDir;
const log = [];

before(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'academy-e2e-platform-'));
  const port = await freePort();
  const platformPort = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  issuer = `http://127.0.0.1:${platformPort}`;
  const env = academyEnv(workDir, port);
  platform = spawn('python3', [join(root, 'tests', 'lti', 'platform.py'), String(platformPort), baseUrl,
    join(root, 'tests', 'fixtures', 'lti', 'platform-key-1.der')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  platform.stdout.on('data', (d) => log.push(`platform: ${d}`));
  platform.stderr.on('data', (d) => log.push(`platform: ${d}`));
  await waitFor(`${issuer}/jwks`, 20_000, log);
  const added = spawnSync(academyBin, ['add-lti-platform', '--name', 'lti1p3platform VLE', '--issuer', issuer,
    '--client-id', 'academy-tool', '--deployment-ids', 'deployment-1', '--auth-login-url', `${issuer}/authorize`,
    '--token-url', `${issuer}/token`, '--jwks-url', `${issuer}/jwks`], { cwd: root, env, encoding: 'utf8' });
  assert.equal(added.status, 0, added.stderr);
  server = await serveAcademy(env, log);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  platform?.kill('SIGTERM');
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** What the platform has been sent so far. */
async function received() {
  return (await fetch(`${issuer}/received`)).json();
}

/** Fails with what the servers printed. */
function withLog(promise) {
  return promise.catch((error) => {
    throw new Error(`${error.message}\n${log.join('')}`);
  });
}

test("a learner's completed module reaches the platform's gradebook", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${issuer}/start?kind=learner`);
  await withLog(page.getByRole('heading', { level: 1, name: 'Beta module' }).waitFor({ timeout: 20_000 }));
  await page.getByRole('button', { name: 'Enrol in this module' }).click();
  await page.goto(`${baseUrl}/modules/beta/lessons/only`);
  await page.getByRole('button', { name: 'Mark lesson complete' }).click();
  await page.getByText('You have completed this lesson.').waitFor();
  // The academy's sender runs every few seconds.
  const deadline = Date.now() + 30_000;
  let got = await received();
  while (got.scores.length === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    got = await received();
  }
  assert.equal(got.scores.length, 1, `no score arrived:\n${log.join('')}`);
  const [score] = got.scores;
  assert.equal(score.userId, 'learner-1');
  assert.equal(score.scoreGiven, 100);
  assert.equal(score.scoreMaximum, 100);
  assert.equal(score.activityProgress, 'Completed');
  assert.equal(score.gradingProgress, 'FullyGraded');
  assert.ok(got.tokens >= 1, 'an access token was asked for with the signed assertion');
  await context.close();
});

test('a teacher places a module and the platform accepts the signed answer', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${issuer}/start?kind=teacher`);
  await withLog(page.getByRole('heading', { level: 1, name: 'Add academy content to your course' })
    .waitFor({ timeout: 20_000 }));
  await page.getByRole('checkbox', { name: 'Alpha module' }).check();
  await page.getByRole('button', { name: 'Add to course' }).click();
  await withLog(page.getByText(`Placed: Alpha module (${baseUrl}/modules/alpha)`).waitFor({ timeout: 20_000 }));
  const got = await received();
  assert.equal(got.placed.length, 1);
  assert.equal(got.placed[0].type, 'ltiResourceLink');
  await context.close();
});

test("the course's teacher syncs its roster into a cohort they lead", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  // The teacher opens the module from the course, then finds the course on the cohorts page.
  await page.goto(`${issuer}/start?kind=instructor`);
  await withLog(page.getByRole('heading', { level: 1, name: 'Beta module' }).waitFor({ timeout: 20_000 }));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cohorts' }).click();
  await page.getByRole('heading', { level: 2, name: 'Your VLE courses' }).waitFor();
  await expectNoAxeViolations(page, 'the cohorts page with a VLE course');
  await page.getByRole('button', { name: 'Sync roster of Informatics for clinicians' }).click();
  // The roster came from the platform's service, two people a page, and the teacher lands on the cohort:
  // the learner who launched, and the one who never has; not the one who left.
  await withLog(page.getByRole('heading', { level: 1, name: 'Informatics for clinicians' })
    .waitFor({ timeout: 20_000 }));
  await page.getByRole('status').filter({ hasText: 'Roster synced from the VLE: 2 learners in the course; 2 added, 0 removed.' }).waitFor();
  await page.getByRole('rowheader', { name: 'Lewis Learner' }).waitFor();
  await page.getByRole('rowheader', { name: 'Nadia Newcomer' }).waitFor();
  assert.equal(await page.getByText('Liam Leaver').count(), 0);
  const got = await received();
  assert.equal(got.roster_pages, 2, 'both pages of the roster were read');
  await expectNoAxeViolations(page, 'the synced cohort');
  await context.close();
});
