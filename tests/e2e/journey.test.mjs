// Browser journeys in Debian's Chromium, driven by playwright-core (which downloads no browser).
//
// The learner journey runs twice: with JavaScript off (forms post and redirect) and hydrated (marking a
// lesson complete updates the page without a navigation). Locators are by role and label, which also
// checks that controls are named. axe-core checks every page for WCAG 2.2 A/AA violations.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  academyBin, academyEnv, expectNoAxeViolations, freePort, launchChromium, root, serveAcademy,
} from './browser.mjs';


let server;
let browser;
let baseUrl;
let workDir;
let serverEnv;
const serverLog = [];

function requiredEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser journeys with scripts/test, which starts an SMTP server`);
  return value;
}

/** Undoes quoted-printable encoding, as a mail client does. */
function decodeQuotedPrintable(text) {
  return text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

/** The link to `path` in the newest email the SMTP server received for `to` (waits for delivery). */
async function emailedLink(to, path) {
  const maildir = join(requiredEnv('TEST_MAILBOX'), 'new');
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const messages = existsSync(maildir)
      ? readdirSync(maildir).map((f) => decodeQuotedPrintable(readFileSync(join(maildir, f), 'utf8')))
      : [];
    const link = messages
      .filter((m) => m.split('\n').some((line) => line.startsWith('To:') && line.includes(to)))
      .flatMap((m) => m.split(/\s+/))
      .find((word) => word.startsWith(`${baseUrl}${path}`));
    if (link) return link;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no email to ${to} with a ${path} link arrived:\n${serverLog.join('')}`);
}

/**
 * Arrives as a new learner does: registers, follows the link in the verification email, signs in.
 * `audit` (optional) checks each new page on the way.
 */
async function registerAndVerify(page, { email, name, password, audit = async () => {}, hydrated = async () => {} }) {
  await page.goto(`${baseUrl}/register`);
  await hydrated();
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { level: 1, name: 'Check your email' }).waitFor();
  await audit('the check-your-email page');
  const link = await emailedLink(email, '/verify-email');
  await page.goto(link);
  await hydrated();
  await audit('the verify-email page');
  await page.getByRole('button', { name: 'Verify my email address' }).click();
  await page.getByRole('heading', { level: 1, name: 'Email address confirmed' }).waitFor();
  await audit('the email-confirmed page');
  await page.goto(`${baseUrl}/sign-in`);
  await hydrated();
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'My learning' }).waitFor();
}

before(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'academy-e2e-'));
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  serverEnv = academyEnv(workDir, port, {
    CONTENT_DIR: process.env.ACADEMY_CONTENT ?? join(root, 'tests', 'fixtures', 'valid'),
    // Verification and reset emails go through the real SMTP server scripts/test starts (aiosmtpd).
    SMTP_URL: requiredEnv('TEST_SMTP_URL'),
    MAIL_FROM: 'Informatics Academy <academy@localhost>',
  });
  server = await serveAcademy(serverEnv, serverLog);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

async function expectOneH1(page) {
  assert.equal(await page.locator('h1').count(), 1, 'exactly one h1');
}

/** The learner journey; with JavaScript on it also checks hydration and runs axe on every page. */
async function learnerJourney({ javaScript }) {
  const context = await browser.newContext({ javaScriptEnabled: javaScript });
  const page = await context.newPage();
  const email = `learner-${javaScript ? 'js' : 'nojs'}-${Date.now()}@example.org`;
  const audit = async (what) => {
    await expectOneH1(page);
    if (javaScript) await expectNoAxeViolations(page, what);
  };
  const hydrated = async () => {
    if (javaScript) await page.locator('[data-hydrated="true"]').waitFor({ timeout: 20_000 });
  };

  await page.goto(`${baseUrl}/`);
  await hydrated();
  await page.getByRole('heading', { level: 1, name: 'Catalogue' }).waitFor();
  await audit('the catalogue');

  // A missing page is a real 404 with a helpful page.
  const missing = await page.goto(`${baseUrl}/modules/no-such-module`);
  assert.equal(missing.status(), 404);
  await audit('the not-found page');

  // Register: first with a mistake, to see the error summary and field messages.
  await page.goto(`${baseUrl}/register`);
  await hydrated();
  await audit('the registration form');
  await page.getByLabel('Email address').fill('not-an-email');
  await page.getByLabel('Your name').fill('Dr Test Learner');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
  await page.getByRole('link', { name: 'Enter an email address in the format name@example.org.' }).waitFor();
  await audit('the registration form with errors');

  await registerAndVerify(page, {
    email, name: 'Dr Test Learner', password: 'a long and memorable passphrase', audit, hydrated,
  });
  await page.getByText('Signed in as Dr Test Learner').waitFor();
  await audit('an empty dashboard');

  // Enrol from the module page.
  await page.getByRole('link', { name: 'Catalogue' }).first().click();
  await page.getByRole('link', { name: 'Alpha module' }).click();
  await page.getByRole('heading', { level: 1, name: 'Alpha module' }).waitFor();
  await hydrated();
  await page.getByRole('button', { name: 'Enrol in this module' }).click();
  await page.getByText('0 of 2 lessons complete').waitFor();
  await audit('a module page');

  // Read the first lesson and mark it complete.
  await page.getByRole('link', { name: 'Continue where you left off: First lesson' }).click();
  await page.getByRole('heading', { level: 1, name: 'First lesson' }).waitFor();
  await hydrated();
  await audit('a lesson page');
  if (javaScript) await page.evaluate(() => { window.__stillTheSamePage = true; });
  await page.getByRole('button', { name: 'Mark lesson complete' }).click();
  await page.getByText('You have completed this lesson.').waitFor();
  await page.getByText('1 of 2 lessons complete').waitFor();
  if (javaScript) {
    const samePage = await page.evaluate(() => window.__stillTheSamePage === true);
    assert.ok(samePage, 'marking complete updated the page without a navigation');
  }

  // Leave, come back: "continue where you left off" offers the next lesson.
  await page.goto(`${baseUrl}/`);
  await page.getByText('1 of 2 lessons complete').waitFor();
  await page.getByRole('link', { name: 'My learning' }).click();
  await page.getByRole('heading', { level: 1, name: 'My learning' }).waitFor();
  await hydrated();
  await audit('the dashboard with progress');

  // The self-assessment: a rating gives a plan of modules ordered by gap; then back to the dashboard.
  await page.getByRole('link', { name: 'Rate yourself against the frameworks' }).click();
  await page.getByRole('heading', { level: 1, name: 'Self-assessment' }).waitFor();
  await hydrated();
  await audit('the self-assessment');
  await page.getByRole('group', { name: '1.1 Clinical safety' }).getByLabel('New to this').check();
  await page.getByRole('button', { name: 'Save my ratings and update my plan' }).click();
  await page.getByText('From your assessment of').waitFor();
  await page.getByRole('listitem').filter({ hasText: 'Builds: 1.1 Clinical safety' }).first().waitFor();
  await audit('the self-assessment with a plan');
  await page.getByRole('link', { name: 'My learning' }).click();
  await page.getByRole('heading', { level: 1, name: 'My learning' }).waitFor();
  await hydrated();

  // Pathways come first on the dashboard; a pathway's page shows its modules in order and the next step.
  await page.getByRole('link', { name: 'Starter pathway' }).click();
  await page.getByRole('heading', { level: 1, name: 'Starter pathway' }).waitFor();
  await hydrated();
  await page.getByText('0 of 2 required modules complete').waitFor();
  await page.getByRole('link', { name: 'Next: Continue Alpha module: Second lesson' }).waitFor();
  await audit('a pathway page');
  await page.getByRole('link', { name: 'Pathways' }).first().click();
  await page.getByRole('heading', { level: 1, name: 'Pathways' }).waitFor();
  await hydrated();
  await audit('the pathways list');

  // Search the catalogue (a plain GET form, with or without JavaScript).
  await page.goto(`${baseUrl}/`);
  await hydrated();
  await page.getByRole('searchbox', { name: 'Search modules and lessons' }).fill('short lesson');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByText('1 module matches “short lesson”').waitFor();
  await hydrated();
  await page.getByRole('link', { name: 'Gamma module' }).waitFor();
  await audit('catalogue search results');

  await page.getByRole('link', { name: 'My learning' }).click();
  await page.getByRole('heading', { level: 1, name: 'My learning' }).waitFor();
  await hydrated();
  await page.getByRole('link', { name: 'Continue where you left off: Second lesson' }).click();
  await page.getByRole('heading', { level: 1, name: 'Second lesson' }).waitFor();

  // Sign out, sign back in (the sign-in page audited too).
  await hydrated();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('link', { name: 'Sign in' }).waitFor();
  await page.goto(`${baseUrl}/sign-in?next=/dashboard`);
  await hydrated();
  await audit('the sign-in form');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill('a long and memorable passphrase');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'My learning' }).waitFor();
  await page.getByText('1 of 2 lessons complete').waitFor();
  await context.close();
}

test('learner journey with JavaScript off', async () => {
  await learnerJourney({ javaScript: false });
});

test('learner journey hydrated, with axe-core on every page', async () => {
  await learnerJourney({ javaScript: true });
});

/** What has the keyboard focus: its tag, its accessible text, and the legend of its fieldset. */
async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el) return { tag: '', text: '', group: '' };
    const text = (el.labels?.[0]?.textContent ?? el.textContent ?? '').trim().replace(/\s+/g, ' ');
    const group = (el.closest('fieldset')?.querySelector('legend')?.textContent ?? '').trim();
    return { tag: el.tagName, type: el.getAttribute('type') ?? '', text, group, id: el.id };
  });
}

/** Presses Tab until the focused element's text matches `name` (at most 60 presses). */
async function tabTo(page, name) {
  for (let i = 0; i < 60; i += 1) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (typeof name === 'string' ? now.text === name : name.test(now.text)) return now;
  }
  throw new Error(`Tab never reached ${name}`);
}

/** Tabs into a radio group and moves with the arrow keys to `option` (arrows select as they move). */
async function chooseRadio(page, group, option) {
  for (let i = 0; i < 60; i += 1) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (now.type === 'radio' && group.test(now.group)) break;
  }
  for (let i = 0; i < 10; i += 1) {
    const now = await focused(page);
    assert.ok(group.test(now.group), `still in the group ${group}`);
    if (now.text === option) {
      await page.keyboard.press('Space');
      return;
    }
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`no option ${option} in ${group}`);
}

/** After a navigation inside the app, the new page's h1 has the focus. */
async function expectFocusOnHeading(page, name) {
  await page.getByRole('heading', { level: 1, name }).waitFor();
  await page.waitForFunction(() => document.activeElement?.tagName === 'H1', null, { timeout: 5_000 });
  assert.equal((await focused(page)).text, name, 'focus moved to the new heading');
}

test('a whole module and its assessment with the keyboard alone', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await registerAndVerify(page, {
    email: `keyboard-${Date.now()}@example.org`, name: 'Dr Keyboard', password: 'no mouse needed here',
  });
  await page.goto(`${baseUrl}/modules/gamma`);
  await page.locator('[data-hydrated="true"]').waitFor({ timeout: 20_000 });

  // The first Tab reaches a skip link that becomes visible; following it puts focus on the main content.
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).text, 'Skip to main content');
  const box = await page.getByRole('link', { name: 'Skip to main content' }).boundingBox();
  assert.ok(box && box.x >= 0 && box.y >= 0 && box.width > 0, 'the skip link is on screen when focused');
  await page.keyboard.press('Enter');
  assert.equal((await focused(page)).id, 'main', 'focus is on the main content');

  await tabTo(page, 'Enrol in this module');
  await page.keyboard.press('Enter');
  await tabTo(page, /^Continue where you left off: The only gamma lesson$|^Start: The only gamma lesson$/);
  await page.keyboard.press('Enter');
  await expectFocusOnHeading(page, 'The only gamma lesson');

  await chooseRadio(page, /Which of these is a hazard/, 'A wet floor');
  await tabTo(page, 'Check my answers');
  await page.keyboard.press('Enter');
  await page.getByText(/You answered \d of 2 questions correctly/).waitFor();
  await tabTo(page, 'Mark lesson complete');
  await page.keyboard.press('Enter');
  await page.getByText('You have completed this lesson.').waitFor();

  await tabTo(page, 'Back to the module');
  await page.keyboard.press('Enter');
  await expectFocusOnHeading(page, 'Gamma module');
  await tabTo(page, 'Take the module assessment');
  await page.keyboard.press('Enter');
  await expectFocusOnHeading(page, 'Module assessment');
  await chooseRadio(page, /hazard is a potential source of harm/, 'True');
  await chooseRadio(page, /Who deploys a system/, 'The health organisation');
  await tabTo(page, 'Two');
  await page.keyboard.press('Space');
  await tabTo(page, 'Four');
  await page.keyboard.press('Space');
  await tabTo(page, 'Submit assessment');
  await page.keyboard.press('Enter');
  await page.getByText('You answered 3 of 3 questions correctly (100%). You passed.').waitFor();
  await context.close();
});

test('learner pages reflow at 320 px wide and at 200% zoom without scrolling sideways', async () => {
  const pages = ['/', '/modules/alpha', '/modules/alpha/lessons/first', '/modules/gamma/assessment',
    '/pathways', '/pathways/starter', '/sign-in', '/register'];
  // 320 CSS pixels is WCAG 1.4.10's reflow width; 640 at twice the pixel density is a 1280-pixel window at 200%.
  for (const viewport of [{ width: 320, height: 640, deviceScaleFactor: 1 }, { width: 640, height: 400, deviceScaleFactor: 2 }]) {
    const context = await browser.newContext({ viewport: { width: viewport.width, height: viewport.height },
      deviceScaleFactor: viewport.deviceScaleFactor });
    const page = await context.newPage();
    for (const path of pages) {
      await page.goto(`${baseUrl}${path}`);
      const { scrollWidth, innerWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
      }));
      assert.ok(scrollWidth <= innerWidth, `${path} at ${viewport.width} px: the page is ${scrollWidth} px wide`);
    }
    await context.close();
  }
});

/** Take the gamma module to completion, open the record, check it verifies, and look at the print view. */
async function recordJourney({ javaScript }) {
  const context = await browser.newContext({ javaScriptEnabled: javaScript });
  const page = await context.newPage();
  const email = `record-${javaScript ? 'js' : 'nojs'}-${Date.now()}@example.org`;
  const hydrated = async () => {
    if (javaScript) await page.locator('[data-hydrated="true"]').waitFor({ timeout: 20_000 });
  };

  await registerAndVerify(page, {
    email, name: 'Dr Record Holder', password: 'records that can be verified', hydrated,
  });

  // The lesson's check-your-understanding questions: nothing about the answers is on the page yet.
  await page.goto(`${baseUrl}/modules/gamma/lessons/only`);
  await hydrated();
  assert.ok(!(await page.content()).includes('GAMMA-EXPLANATION'), 'no explanation before answering');
  await page.getByRole('group', { name: '1. Which of these is a hazard?' }).getByLabel('A wet floor').check();
  await page.getByRole('group', { name: /Which documents belong/ }).getByLabel('Hazard log').check();
  if (javaScript) await page.evaluate(() => { window.__stillTheSamePage = true; });
  await page.getByRole('button', { name: 'Check my answers' }).click();
  await page.getByText('You answered 1 of 2 questions correctly (50%).').waitFor();
  await page.getByText(/GAMMA-EXPLANATION-TWO/).waitFor();
  if (javaScript) {
    assert.ok(await page.evaluate(() => window.__stillTheSamePage === true), 'checked in place, no navigation');
    await expectNoAxeViolations(page, 'a lesson with marked questions');
  }
  await page.getByRole('button', { name: 'Mark lesson complete' }).click();
  await page.getByText('You have completed this lesson.').waitFor();

  // The assessment.
  await page.goto(`${baseUrl}/modules/gamma/assessment`);
  await hydrated();
  await expectOneH1(page);
  if (javaScript) await expectNoAxeViolations(page, 'the assessment');
  await page.getByRole('group', { name: /hazard is a potential source of harm/ }).getByLabel('True').check();
  await page.getByRole('group', { name: /Who deploys a system/ }).getByLabel('The health organisation').check();
  const evens = page.getByRole('group', { name: /Pick the even numbers/ });
  await evens.getByLabel('Two').check();
  await evens.getByLabel('Four').check();
  await page.getByRole('button', { name: 'Submit assessment' }).click();
  await page.getByText('You answered 3 of 3 questions correctly (100%). You passed.').waitFor();

  // The module now links to the record.
  await page.goto(`${baseUrl}/modules/gamma`);
  await page.getByRole('link', { name: 'View your completion record' }).click();
  await page.getByRole('heading', { level: 1, name: 'Completion record' }).waitFor();
  await hydrated();
  await page.getByText('Valid record').waitFor();
  await page.getByText('Dr Record Holder', { exact: true }).waitFor();
  await expectOneH1(page);
  if (javaScript) await expectNoAxeViolations(page, 'a record page');
  const recordUrl = page.url();

  // Anyone (a fresh, signed-out browser) can verify it, and the machine-readable check agrees.
  const stranger = await browser.newContext({ javaScriptEnabled: javaScript });
  const public_ = await stranger.newPage();
  await public_.goto(recordUrl);
  await public_.getByText('Valid record').waitFor();
  const verification = await (await fetch(`${recordUrl}/verification`)).json();
  assert.equal(verification.verification.valid, true);
  const credential = await (await fetch(`${recordUrl}/credential.json`)).text();
  const tampered = credential.replace('Dr Record Holder', 'Dr Somebody Else');
  const verdict = await (await fetch(`${baseUrl}/verify`, { method: 'POST', body: tampered })).json();
  assert.equal(verdict.verification.valid, false, 'a tampered record fails');
  await stranger.close();

  // The print view is a certificate: no site chrome, the QR code and verification address kept.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('.site-header').evaluate((el) => getComputedStyle(el).display), 'none');
  assert.equal(await page.locator('.no-print').first().evaluate((el) => getComputedStyle(el).display), 'none');
  assert.ok(await page.locator('.certificate__qr svg').isVisible(), 'QR code printed');
  await page.getByText(recordUrl).waitFor();
  if (javaScript) {
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    assert.ok(pdf.length > 1000, 'the certificate prints to PDF');
  }

  // The learner downloads their data, then deletes their account: the record's page then says only that
  // its holder withdrew it.
  await page.emulateMedia({ media: 'screen' });

  // Alpha's two lessons complete the starter pathway (alpha and gamma required, beta optional): its page
  // links the pathway record, an Open Badge of its own naming the module records it rests on.
  for (const lesson of ['first', 'second']) {
    await page.goto(`${baseUrl}/modules/alpha/lessons/${lesson}`);
    await hydrated();
    await page.getByRole('button', { name: 'Mark lesson complete' }).click();
    await page.getByText('You have completed this lesson.').waitFor();
  }
  await page.goto(`${baseUrl}/pathways/starter`);
  await hydrated();
  await page.getByRole('heading', { name: 'Your pathway record' }).waitFor();
  if (javaScript) await expectNoAxeViolations(page, 'a completed pathway');
  await page.getByRole('link', { name: 'View, download or share your record for this pathway' }).click();
  await page.getByRole('heading', { level: 1, name: 'Pathway record' }).waitFor();
  await hydrated();
  await page.getByText('Valid record').waitFor();
  await page.getByText('completed the pathway').waitFor();
  await page.getByRole('link', { name: 'Alpha module (version 1)' }).waitFor();
  await page.getByRole('link', { name: 'Gamma module (version 1)' }).waitFor();
  await expectOneH1(page);
  if (javaScript) await expectNoAxeViolations(page, 'a pathway record page');
  const pathwayRecordUrl = page.url();
  const pathwayVerdict = await (await fetch(`${pathwayRecordUrl}/verification`)).json();
  assert.equal(pathwayVerdict.verification.valid, true, 'the pathway record verifies');

  await page.goto(`${baseUrl}/account`);
  await hydrated();
  await expectOneH1(page);
  if (javaScript) await expectNoAxeViolations(page, 'the account page');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download my data (zip)' }).click(),
  ]);
  const saved = join(workDir, `my-data-${javaScript ? 'js' : 'nojs'}.zip`);
  await download.saveAs(saved);
  const archive = readFileSync(saved);
  assert.equal(archive.subarray(0, 2).toString(), 'PK', 'the download is a zip');
  for (const name of ['data.json', 'quiz_attempts.csv', 'completion_records.csv']) {
    assert.ok(archive.includes(name), `the archive holds ${name}`);
  }
  await page.getByLabel('Your password, to confirm').fill('records that can be verified');
  await page.getByLabel('I understand that my account and learning history will be deleted').check();
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await page.getByRole('heading', { level: 1, name: 'Your account has been deleted' }).waitFor();
  if (javaScript) await expectNoAxeViolations(page, 'the account-deleted page');
  await page.goto(recordUrl);
  await page.getByText('This record was withdrawn by its holder').waitFor();
  assert.ok(!(await page.content()).includes('Dr Record Holder'), 'the holder is no longer named');
  await page.goto(pathwayRecordUrl);
  await page.getByText('This record was withdrawn by its holder').waitFor();
  await context.close();
}

test('assessment to verifiable record with JavaScript off', async () => {
  await recordJourney({ javaScript: false });
});

test('assessment to verifiable record hydrated, with axe-core', async () => {
  await recordJourney({ javaScript: true });
});

test('pages carry a strict Content-Security-Policy that still lets them hydrate', async () => {
  const response = await fetch(`${baseUrl}/`);
  const policy = response.headers.get('content-security-policy') ?? '';
  assert.match(policy, /script-src 'self' 'nonce-[^']+' 'wasm-unsafe-eval'/);
  assert.match(policy, /frame-ancestors 'none'/);
  const html = await response.text();
  const nonce = policy.match(/'nonce-([^']+)'/)[1];
  assert.ok(html.includes(`nonce="${nonce}"`), 'the hydration scripts carry the nonce');
});

test('every lesson of the shipped curriculum passes axe-core and has one h1', async () => {
  // A second server over the real content/ folder, so what authors write is held to the same standard.
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'academy-content-'));
  const log = [];
  const real = spawn(academyBin, ['serve'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: `sqlite://${join(dir, 'content.sqlite3')}?mode=rwc`,
      CONTENT_DIR: join(root, 'content'),
      BIND_ADDRESS: `127.0.0.1:${port}`,
      PUBLIC_URL: url,
      KEY_DIR: join(dir, 'keys'),
      LEPTOS_SITE_ROOT: process.env.ACADEMY_SITE_ROOT ?? join(root, 'target', 'site'),
      RUST_LOG: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  real.stderr.on('data', (d) => log.push(d.toString()));
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try { if ((await fetch(url)).ok) break; } catch { /* starting */ }
      if (Date.now() > deadline) throw new Error(`server over content/ did not start:\n${log.join('')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url);
    const modules = await page.locator('.card__title a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    assert.ok(modules.length > 0, 'the catalogue lists the shipped modules');
    let lessons = 0;
    for (const module of modules) {
      await page.goto(`${url}${module}`);
      await expectOneH1(page);
      await expectNoAxeViolations(page, module);
      const hrefs = await page.locator('.lesson-list a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
      for (const href of hrefs) {
        await page.goto(`${url}${href}`);
        await expectOneH1(page);
        await expectNoAxeViolations(page, href);
        lessons += 1;
      }
    }
    assert.ok(lessons > 0);
    await context.close();
  } finally {
    real.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
});

async function register(page, email, name) {
  await registerAndVerify(page, { email, name, password: 'a long enough passphrase' });
}

test('a course lead creates a cohort, a learner joins by code, the lead sees the matrix', async () => {
  const stamp = Date.now();
  const leadEmail = `lead-${stamp}@example.org`;
  const lead = await (await browser.newContext()).newPage();
  await register(lead, leadEmail, 'Dr Course Lead');
  const granted = spawnSync(process.env.ACADEMY_BIN ?? join(root, 'target', 'debug', 'server'),
    ['grant-role', '--email', leadEmail, '--role', 'course-lead'], { cwd: root, env: serverEnv, encoding: 'utf8' });
  assert.equal(granted.status, 0, granted.stderr);

  await lead.goto(`${baseUrl}/cohorts`);
  await lead.locator('[data-hydrated="true"]').waitFor({ timeout: 20_000 });
  await expectOneH1(lead);
  await expectNoAxeViolations(lead, 'the cohorts page');
  await lead.getByLabel('Cohort name').fill('Spring CCIO cohort');
  await lead.getByRole('checkbox', { name: 'Alpha module' }).check();
  await lead.getByLabel('Due date for Alpha module (optional)').fill('2020-01-31');
  await lead.getByRole('button', { name: 'Create cohort' }).click();
  await lead.getByRole('heading', { level: 1, name: 'Spring CCIO cohort' }).waitFor();
  const code = (await lead.locator('p strong code').first().textContent()).trim();
  assert.match(code, /^[A-Z2-9]{8}$/);

  const learnerPage = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await register(learnerPage, `joiner-${stamp}@example.org`, 'Dr Joiner');
  await learnerPage.goto(`${baseUrl}/join`);
  await learnerPage.getByLabel('Cohort code').fill(code.toLowerCase());
  await learnerPage.getByRole('button', { name: 'Join cohort' }).click();
  await learnerPage.getByRole('heading', { name: 'My cohorts' }).waitFor();
  await learnerPage.getByText('due 2020-01-31').waitFor();

  await lead.reload();
  await lead.locator('[data-hydrated="true"]').waitFor({ timeout: 20_000 });
  await lead.getByRole('rowheader', { name: /Dr Joiner/ }).waitFor();
  await lead.getByText('Not started (0/2) Overdue').waitFor();
  await expectOneH1(lead);
  await expectNoAxeViolations(lead, 'a cohort dashboard');
  const csv = await lead.evaluate(async (url) => (await fetch(url)).text(), `${lead.url()}/progress.csv`);
  assert.match(csv, /"Dr Joiner","joiner-\d+@example.org","Not started \(0\/2\) overdue"/);
});

/** The wasm bundle a page's hydration script names, fetched as a browser would. */
async function bundleOf(html) {
  // Its name carries a hash of its contents (scripts/build), so it is found from the page that loads it.
  const path = html.match(/\/pkg\/informatics-academy-[a-z-]+\.[0-9a-f]+\.wasm/)?.[0];
  assert.ok(path, 'the page names a wasm bundle with a hashed name');
  const response = await fetch(`${baseUrl}${path}`);
  assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  const wasm = Buffer.from(await response.arrayBuffer());
  assert.ok(wasm.length > 10_000, 'the wasm bundle is served');
  return { path, wasm };
}

test('no wasm bundle carries answers or explanations', async () => {
  const site = process.env.ACADEMY_SITE_ROOT ?? join(root, 'target', 'site');
  const bundles = readdirSync(join(site, 'pkg')).filter((file) => file.endsWith('.wasm'));
  assert.equal(bundles.length, 4, `one bundle per kind of page: ${bundles}`);
  for (const file of bundles) {
    const wasm = readFileSync(join(site, 'pkg', file));
    assert.ok(!wasm.includes('GAMMA-EXPLANATION'), `no explanation text in ${file}`);
    assert.ok(!wasm.includes('A wet floor'), `no question content in ${file}`);
  }
});

test('learner pages are sent a bundle without the authoring editors', async () => {
  const reading = await bundleOf(await (await fetch(`${baseUrl}/`)).text());
  const learner = await bundleOf(await (await fetch(`${baseUrl}/pathways`)).text());
  const account = await bundleOf(await (await fetch(`${baseUrl}/sign-in`)).text());
  assert.match(reading.path, /informatics-academy-reading\./);
  assert.match(learner.path, /informatics-academy-learner\./);
  assert.match(account.path, /informatics-academy-account\./);
  const site = process.env.ACADEMY_SITE_ROOT ?? join(root, 'target', 'site');
  const courseLead = readdirSync(join(site, 'pkg')).find((file) => /^informatics-academy-course-lead\.[0-9a-f]+\.wasm$/.test(file));
  assert.ok(courseLead, 'a course-lead bundle is built');
  // The lesson editor's button label, as a marker of its code: in the course-lead bundle only.
  assert.ok(readFileSync(join(site, 'pkg', courseLead)).includes('Save and preview'), 'the marker is in the course-lead bundle');
  for (const { path, wasm } of [reading, learner, account]) {
    assert.ok(!wasm.includes('Save and preview'), `${path} holds no authoring editor`);
  }
});

test('a course lead writes and publishes a module in the browser, and a learner reads it', async () => {
  const stamp = Date.now();
  const leadEmail = `author-${stamp}@example.org`;
  const leadContext = await browser.newContext();
  const lead = await leadContext.newPage();
  await register(lead, leadEmail, 'Dr Module Author');
  const granted = spawnSync(process.env.ACADEMY_BIN ?? join(root, 'target', 'debug', 'server'),
    ['grant-role', '--email', leadEmail, '--role', 'course-lead'], { cwd: root, env: serverEnv, encoding: 'utf8' });
  assert.equal(granted.status, 0, granted.stderr);
  const hydrated = () => lead.locator('[data-hydrated="true"]').waitFor({ timeout: 20_000 });

  // From a learner page (the reading bundle) the navigation's link loads the authoring home whole, with the
  // course-lead bundle, which then hydrates it; the back button returns to the catalogue.
  await lead.goto(`${baseUrl}/`);
  await hydrated();
  await lead.evaluate(() => { window.loadedBefore = true; });
  await Promise.all([
    lead.waitForEvent('load'),
    lead.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Authoring' }).click(),
  ]);
  assert.equal(lead.url(), `${baseUrl}/author`);
  await hydrated();
  assert.equal(await lead.evaluate(() => window.loadedBefore), undefined, 'the authoring home was loaded whole');
  assert.match(await lead.content(), /informatics-academy-course-lead\.[0-9a-f]+\.js/);
  await expectOneH1(lead);
  await expectNoAxeViolations(lead, 'the authoring home');
  await lead.goBack();
  assert.equal(lead.url(), `${baseUrl}/`);
  await lead.goForward();
  assert.equal(lead.url(), `${baseUrl}/author`);
  await hydrated();
  const slug = `downtime-drills-${stamp}`;
  await lead.getByLabel('Title').fill('Downtime drills');
  await lead.getByLabel('Address (optional)').fill(slug);
  await lead.getByRole('button', { name: 'Create draft' }).click();
  await lead.getByRole('heading', { level: 1, name: 'Downtime drills' }).waitFor();
  await hydrated();

  // The new draft has problems (no summary, no outcomes), and the page says where.
  await lead.getByText(/problems? to fix before publishing/).waitFor();
  assert.ok(await lead.getByRole('button', { name: 'Publish' }).isDisabled(), 'a draft with problems cannot be published');
  await lead.getByLabel('Summary').fill('Rehearsing what the ward does when the clinical system is down.');
  await lead.getByLabel('Audience').fill('Ward managers and CCIOs');
  await lead.getByRole('button', { name: 'Save settings' }).click();
  await lead.getByRole('link', { name: 'Edit Introduction' }).waitFor();
  await expectOneH1(lead);
  await expectNoAxeViolations(lead, 'a module authoring page');

  // The lesson editor: the missing outcomes are named at their field; the preview follows typing.
  await lead.getByRole('link', { name: 'Edit Introduction' }).click();
  await lead.getByRole('heading', { level: 1, name: 'Edit lesson: Introduction' }).waitFor();
  await hydrated();
  await lead.locator('.field--error').filter({ hasText: 'Learning outcomes' }).first().waitFor();
  await expectNoAxeViolations(lead, 'the lesson editor with problems');
  await lead.getByLabel('Learning outcomes').fill('Describe the first hour of a downtime\nList who to call');
  const body = '## The first hour\n\nSwitch to the paper downtime packs kept on every ward.';
  await lead.getByLabel('Lesson text (Markdown)').fill(body);
  await lead.locator('.preview__body h2#the-first-hour').waitFor();
  await lead.locator('.preview__body').getByText('paper downtime packs').waitFor();
  await lead.getByRole('button', { name: 'Save and preview' }).click();
  await lead.locator('.field--error').first().waitFor({ state: 'detached' });

  // The assessment editor and the source editor meet the same accessibility bar.
  await lead.goto(`${baseUrl}/author/${slug}/assessment`);
  await lead.getByRole('heading', { level: 1, name: 'Assessment: Downtime drills' }).waitFor();
  await hydrated();
  await expectOneH1(lead);
  await expectNoAxeViolations(lead, 'the assessment editor');
  await lead.goto(`${baseUrl}/author/${slug}/source/module.toml`);
  await lead.getByRole('heading', { level: 1, name: 'Source of module.toml' }).waitFor();
  await hydrated();
  assert.match(await lead.getByLabel('Contents of module.toml').inputValue(), /summary = "Rehearsing what the ward does/);
  await expectOneH1(lead);
  await expectNoAxeViolations(lead, 'the source editor');

  // Publish, then the learner sees it; the draft never reached the catalogue before.
  const learner = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await register(learner, `reader-${stamp}@example.org`, 'Dr Reader');
  await learner.goto(`${baseUrl}/`);
  assert.ok(!(await learner.content()).includes('Downtime drills'), 'drafts are not in the catalogue');
  await lead.goto(`${baseUrl}/author/${slug}`);
  await hydrated();
  await lead.getByText('Added: Introduction (introduction)').waitFor();
  await lead.getByRole('button', { name: 'Publish' }).click();
  await lead.getByText('Published as version 1. Learners see it now.').waitFor();

  // Round trip through the browser: export the published version, import the zip as a draft; nothing differs.
  const zipBytes = await lead.evaluate(
    async (url) => Array.from(new Uint8Array(await (await fetch(url)).arrayBuffer())),
    `${baseUrl}/author/${slug}/export.zip`,
  );
  const zipPath = join(workDir, `${slug}.zip`);
  writeFileSync(zipPath, Buffer.from(zipBytes));
  await lead.goto(`${baseUrl}/author`);
  await hydrated();
  await lead.getByLabel('Module zip').setInputFiles(zipPath);
  await lead.getByRole('button', { name: 'Import as draft' }).click();
  await lead.getByRole('heading', { level: 1, name: 'Downtime drills' }).waitFor();
  await lead.getByText('Nothing differs from the published version.').waitFor();
  await lead.getByRole('button', { name: 'Discard the draft' }).click();
  await lead.getByRole('heading', { name: 'No draft open' }).waitFor();

  await learner.goto(`${baseUrl}/`);
  await learner.getByRole('link', { name: 'Downtime drills' }).click();
  await learner.getByRole('heading', { level: 1, name: 'Downtime drills' }).waitFor();
  await learner.goto(`${baseUrl}/modules/${slug}/lessons/introduction`);
  await learner.getByRole('heading', { level: 2, name: 'The first hour' }).waitFor();
  await learner.getByText('Switch to the paper downtime packs kept on every ward.').waitFor();

  // A learner cannot open the author's pages.
  const forbidden = await learner.goto(`${baseUrl}/author/${slug}`);
  assert.equal(forbidden.status(), 403);
  await leadContext.close();
});
