// The academy inside a VLE's frame, in Chromium: a course page on another site (`localhost` against the
// academy's `127.0.0.1`) frames the launch, so the browser keeps the academy's state cookie out of the
// cross-site launch post, and the VLE's page keeps the state instead (LTI client-side platform storage, by
// postMessage). A learner's launch continues in a new window; a teacher's Deep Linking request shows the
// picker in the frame, and the VLE receives the signed answer and checks it with the tool's published keys.
//
// The pretend VLE here signs launches with the test key in tests/fixtures/lti and keeps data for the tool as
// the 1EdTech postMessage specification describes; the pickers and pages run their real scripts under their
// real Content Security Policy.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  academyBin, academyEnv, expectNoAxeViolations, freePort, launchChromium, root, serveAcademy,
} from './browser.mjs';

const CLIENT_ID = 'academy-tool';
const DEPLOYMENT_ID = 'deployment-1';
const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const platformKey = createPrivateKey({
  key: readFileSync(join(root, 'tests', 'fixtures', 'lti', 'platform-key-1.der')),
  format: 'der',
  type: 'pkcs1',
});
const platformJwk = JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'lti', 'platform-jwk-1.json'), 'utf8'));

let server;
let vle;
let browser;
let baseUrl;
let issuer;
let workDir;
const log = [];

const b64url = (data) => Buffer.from(data).toString('base64url');

function signJwt(claims) {
  const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: platformJwk.kid }));
  const body = b64url(JSON.stringify(claims));
  return `${head}.${body}.${sign('RSA-SHA256', Buffer.from(`${head}.${body}`), platformKey).toString('base64url')}`;
}

/** Checks a JWT the academy signed with a key from its published keyset, as a VLE does. */
async function verifiedByTool(jwt) {
  const [head, body, signature] = jwt.split('.');
  const { kid, alg } = JSON.parse(Buffer.from(head, 'base64url'));
  assert.equal(alg, 'RS256');
  const { keys } = await (await fetch(`${baseUrl}/lti/jwks.json`)).json();
  const jwk = keys.find((k) => k.kid === kid);
  assert.ok(jwk, 'the signing key is published');
  const ok = verify('RSA-SHA256', Buffer.from(`${head}.${body}`), createPublicKey({ key: jwk, format: 'jwk' }),
    Buffer.from(signature, 'base64url'));
  assert.ok(ok, 'the answer verifies with the published key');
  return JSON.parse(Buffer.from(body, 'base64url'));
}

const escapeHtml = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

/** The course page: frames the academy's login initiation and keeps data for it (lti.put_data, lti.get_data). */
function coursePage(activity) {
  const login = new URL(`${baseUrl}/lti/login`);
  const target = activity === 'picker' ? `${baseUrl}/lti/deep-link` : `${baseUrl}/modules/alpha`;
  for (const [k, v] of Object.entries({ iss: issuer, login_hint: activity, target_link_uri: target,
    lti_message_hint: activity, client_id: CLIENT_ID, lti_deployment_id: DEPLOYMENT_ID, lti_storage_target: '_parent' })) {
    login.searchParams.set(k, v);
  }
  return `<!DOCTYPE html><html lang="en"><head><title>Week 3 – Test VLE</title></head><body><h1>Week 3</h1>
<iframe name="academy" title="Informatics Academy" src="${escapeHtml(login)}" width="900" height="700"></iframe>
<script>
// Starts listening only after the frame has begun loading (as a slow VLE page may): the academy's pages ask
// again until answered.
const kept = new Map();
window.asked = [];
setTimeout(() => window.addEventListener('message', (event) => {
  if (event.origin !== ${JSON.stringify(baseUrl)} || !event.data) return;
  const { subject, message_id, key, value } = event.data;
  window.asked.push(subject);
  const slot = event.origin + ' ' + key;
  if (subject === 'lti.put_data') {
    kept.set(slot, value);
    event.source.postMessage({ subject: 'lti.put_data.response', message_id, key, value }, event.origin);
  } else if (subject === 'lti.get_data') {
    event.source.postMessage({ subject: 'lti.get_data.response', message_id, key, value: kept.get(slot) }, event.origin);
  }
}), 700);
</script></body></html>`;
}

/** The authorization endpoint: the launch, posted back to the tool by a form that submits itself. */
function authorize(query) {
  assert.equal(query.get('client_id'), CLIENT_ID);
  assert.equal(query.get('redirect_uri'), `${baseUrl}/lti/launch`);
  assert.equal(query.get('response_mode'), 'form_post');
  const picker = query.get('lti_message_hint') === 'picker';
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: issuer, aud: CLIENT_ID, sub: picker ? 'teacher-1' : 'learner-1', exp: now + 300, iat: now,
    nonce: query.get('nonce'), name: picker ? 'Tom Teacher' : 'Lena Learner',
    [`${LTI}version`]: '1.3.0',
    [`${LTI}deployment_id`]: DEPLOYMENT_ID,
    [`${LTI}launch_presentation`]: { document_target: 'iframe', return_url: `${issuer}/course` },
  };
  if (picker) {
    Object.assign(claims, {
      [`${LTI}message_type`]: 'LtiDeepLinkingRequest',
      [`${LTI}target_link_uri`]: `${baseUrl}/lti/deep-link`,
      [`${LTI}roles`]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'],
      'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings': {
        deep_link_return_url: `${issuer}/deep-link-return`, accept_types: ['ltiResourceLink'],
        accept_presentation_document_targets: ['iframe', 'window'], accept_multiple: false, data: 'week-3',
      },
    });
  } else {
    Object.assign(claims, {
      [`${LTI}message_type`]: 'LtiResourceLinkRequest',
      [`${LTI}target_link_uri`]: `${baseUrl}/modules/alpha`,
      [`${LTI}resource_link`]: { id: 'week-3-alpha', title: 'Week 3: Alpha' },
      [`${LTI}roles`]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
    });
  }
  const fields = { id_token: signJwt(claims), state: query.get('state'), lti_storage_target: query.get('lti_storage_target') };
  return `<!DOCTYPE html><html lang="en"><head><title>Launching</title></head><body>
<form method="post" action="${escapeHtml(`${baseUrl}/lti/launch`)}">${Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${k}" value="${escapeHtml(v)}">`).join('')}</form>
<script>document.forms[0].submit()</script></body></html>`;
}

async function deepLinkReturn(request) {
  let body = '';
  for await (const chunk of request) body += chunk;
  const claims = await verifiedByTool(new URLSearchParams(body).get('JWT'));
  assert.equal(claims.iss, CLIENT_ID);
  assert.equal(claims.aud, issuer);
  assert.equal(claims[`${LTI}message_type`], 'LtiDeepLinkingResponse');
  assert.equal(claims[`${LTI}deployment_id`], DEPLOYMENT_ID);
  assert.equal(claims['https://purl.imsglobal.org/spec/lti-dl/claim/data'], 'week-3');
  const items = claims['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'];
  return `<!DOCTYPE html><html lang="en"><head><title>Placed</title></head><body><ul>${items
    .map((i) => `<li>Placed: ${escapeHtml(i.title)} (${escapeHtml(i.url)})</li>`).join('')}</ul></body></html>`;
}

function startVle(port) {
  const vleServer = createServer(async (request, response) => {
    const url = new URL(request.url, issuer);
    const html = (text) => response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(text);
    try {
      if (url.pathname === '/jwks') {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [platformJwk] }));
      } else if (url.pathname === '/course') {
        html(coursePage(url.searchParams.get('activity')));
      } else if (url.pathname === '/auth') {
        html(authorize(url.searchParams));
      } else if (url.pathname === '/deep-link-return' && request.method === 'POST') {
        html(await deepLinkReturn(request));
      } else {
        response.writeHead(404).end();
      }
    } catch (error) {
      log.push(`VLE: ${error.stack}\n`);
      response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    }
  });
  return new Promise((resolve) => vleServer.listen(port, '127.0.0.1', () => resolve(vleServer)));
}

before(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'academy-e2e-vle-'));
  const port = await freePort();
  const vlePort = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  issuer = `http://localhost:${vlePort}`;
  const env = academyEnv(workDir, port);
  vle = await startVle(vlePort);
  const added = spawnSync(academyBin, ['add-lti-platform', '--name', 'Test VLE', '--issuer', issuer, '--client-id', CLIENT_ID,
    '--deployment-ids', DEPLOYMENT_ID, '--auth-login-url', `${issuer}/auth`, '--token-url', `${issuer}/token`,
    '--jwks-url', `${issuer}/jwks`], { cwd: root, env, encoding: 'utf8' });
  assert.equal(added.status, 0, added.stderr);
  server = await serveAcademy(env, log);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  vle?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test('a learner launched inside the VLE, with its cookie kept out, continues in a new window', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${issuer}/course?activity=learner`);
  const frame = page.frameLocator('iframe[name="academy"]');
  const open = frame.getByRole('link', { name: 'Open Week 3: Alpha in Informatics Academy (new window)' });
  await open.waitFor({ timeout: 20_000 }).catch(async (error) => {
    const shown = await page.frame({ name: 'academy' })?.content();
    throw new Error(`${error.message}\nThe frame showed: ${shown}\n${log.join('')}`);
  });
  // The cookie did not come back with the cross-site launch: the VLE's page was asked for the state.
  const asked = await page.evaluate(() => window.asked);
  assert.ok(asked.includes('lti.put_data') && asked.includes('lti.get_data'), `asked: ${asked}`);
  await expectNoAxeViolations(page.frame({ name: 'academy' }), 'the framed launch');
  const [window] = await Promise.all([context.waitForEvent('page'), open.click()]);
  await window.getByRole('button', { name: 'Continue as Lena Learner' }).click();
  await window.getByRole('heading', { level: 1, name: 'Alpha module' }).waitFor();
  await context.close();
});

test('a teacher picks a module in the frame and the VLE receives the signed link', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${issuer}/course?activity=picker`);
  const frame = page.frameLocator('iframe[name="academy"]');
  await frame.getByRole('heading', { level: 1, name: 'Add academy content to your course' })
    .waitFor({ timeout: 20_000 }).catch((error) => {
      throw new Error(`${error.message}\n${log.join('')}`);
    });
  await expectNoAxeViolations(page.frame({ name: 'academy' }), 'the content picker');
  await frame.getByRole('radio', { name: 'Alpha module' }).check();
  await frame.getByRole('button', { name: 'Add to course' }).click();
  await frame.getByText(`Placed: Alpha module (${baseUrl}/modules/alpha)`).waitFor({ timeout: 20_000 })
    .catch((error) => {
      throw new Error(`${error.message}\n${log.join('')}`);
    });
  await context.close();
});

