// Signing in with an organisation in Debian's Chromium, against a real OpenID provider (npm's oidc-provider,
// tests/oidc/provider.mjs) on another site than the academy (`localhost` against `127.0.0.1`), so the
// browser's cross-site rules for the session cookie apply as they would between an NHS provider and the
// academy. Then, as an admin, the pages for organisations' sign-in and VLEs, checked by axe-core.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  academyBin, academyEnv, expectNoAxeViolations, freePort, launchChromium, root, serveAcademy, waitFor,
} from './browser.mjs';

const CLIENT_SECRET = 'e2e-client-secret-not-for-production';

let server;
let provider;
let browser;
let baseUrl;
let issuer;
let workDir;
let serverEnv;
const log = [];

function academy(args, extraEnv = {}) {
  const run = spawnSync(academyBin, args, { cwd: root, env: { ...serverEnv, ...extraEnv }, encoding: 'utf8' });
  assert.equal(run.status, 0, `${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

before(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'academy-e2e-sso-'));
  const port = await freePort();
  const providerPort = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  issuer = `http://localhost:${providerPort}`;
  serverEnv = academyEnv(workDir, port);
  provider = spawn('node', [join(root, 'tests', 'oidc', 'provider.mjs'), String(providerPort),
    'informatics-academy', CLIENT_SECRET, `${baseUrl}/sign-in/sso/north/callback`, 'localhost'],
  { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  provider.stdout.on('data', (d) => log.push(d.toString()));
  provider.stderr.on('data', (d) => log.push(d.toString()));
  await waitFor(`http://127.0.0.1:${providerPort}/.well-known/openid-configuration`, 20_000, log);
  academy(['add-identity-provider', '--slug', 'north', '--name', 'North Trust', '--issuer', issuer,
    '--client-id', 'informatics-academy', '--email-domains', 'north.nhs.uk'],
  { OIDC_CLIENT_SECRET: CLIENT_SECRET });
  server = await serveAcademy(serverEnv, log);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  provider?.kill('SIGTERM');
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** Signs in at the provider's own pages as `user` and agrees to share the details. */
async function signInAtProvider(page, user) {
  await page.getByPlaceholder('Enter any login').fill(user);
  await page.getByPlaceholder('and password').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

for (const javaScript of [false, true]) {
  test(`a member of staff signs in with their organisation (JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
    const context = await browser.newContext({ javaScriptEnabled: javaScript });
    const page = await context.newPage();
    const user = javaScript ? 'ada' : 'ben';
    await page.goto(`${baseUrl}/sign-in?next=%2Fpathways`);
    if (javaScript) {
      await page.locator('[data-hydrated="true"]').waitFor({ timeout: 20_000 });
      await expectNoAxeViolations(page, 'the sign-in page with an organisation');
    }
    await page.getByRole('link', { name: 'Sign in with North Trust' }).click();
    await signInAtProvider(page, user);
    // Back on the academy, from the provider's site: signed in, on the page that asked.
    await page.getByRole('heading', { level: 1, name: 'Pathways' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/pathways');
    await page.goto(`${baseUrl}/account`);
    await page.getByText(`Signed in as ${user} Example (${user}@north.nhs.uk).`).waitFor();
    await page.getByText('You can sign in with your organisation: North Trust.').waitFor();
    await context.close();
  });
}

test('an admin manages organisations and VLEs on pages that pass axe-core', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByRole('link', { name: 'Sign in with North Trust' }).click();
  await signInAtProvider(page, 'cara');
  await page.getByRole('heading', { level: 1, name: 'My learning' }).waitFor();
  academy(['grant-role', '--email', 'cara@north.nhs.uk', '--role', 'admin']);

  await page.goto(`${baseUrl}/admin/identity-providers`);
  await page.locator('[data-hydrated="true"]').waitFor({ timeout: 20_000 });
  await page.getByRole('heading', { level: 2, name: 'North Trust' }).waitFor();
  await page.getByText(`${baseUrl}/sign-in/sso/north/callback`).waitFor();
  await expectNoAxeViolations(page, 'the organisations page');

  await page.goto(`${baseUrl}/admin/lti-platforms`);
  await page.locator('[data-hydrated="true"]').waitFor({ timeout: 20_000 });
  await page.getByLabel("VLE's name").fill('Test University VLE');
  await page.getByLabel('Platform ID (issuer)').fill('https://vle.example.ac.uk');
  await page.getByLabel('Client ID').fill('academy-tool');
  await page.getByLabel('Deployment IDs').fill('1');
  await page.getByLabel('Authentication request URL').fill('https://vle.example.ac.uk/mod/lti/auth.php');
  await page.getByLabel('Access token URL').fill('https://vle.example.ac.uk/mod/lti/token.php');
  await page.getByLabel('Public keyset URL').fill('https://vle.example.ac.uk/mod/lti/certs.php');
  await page.getByRole('button', { name: 'Register' }).click();
  await page.getByRole('heading', { level: 3, name: 'Test University VLE' }).waitFor();
  await page.getByText(`${baseUrl}/lti/login`).waitFor();
  await expectNoAxeViolations(page, 'the VLEs page');
  await context.close();
});
