// An independent OpenID provider for the single sign-on tests: npm's oidc-provider (OpenID Certified), in
// memory, with its development login page (any user name, any password). Started by the tests, one per test,
// on a free port; prints `listening <issuer>` when ready.
//
//   node tests/oidc/provider.mjs <port> <client-id> <client-secret> <redirect-uri> [<issuer host>]
//
// It listens on 127.0.0.1; the issuer names `<issuer host>` (127.0.0.1 unless given: the browser journey uses
// `localhost`, another site than the academy's 127.0.0.1, as a real provider is).
//
// Who signs in is chosen by the user name typed at the login page:
//   <name>            email <name>@north.nhs.uk, verified, name "<name> Example"
//   unverified-<name> the same, but email_verified false
//   lead-<name>       also in the group "academy-leads"
//   outsider-<name>   email <name>@elsewhere.example
//   noemail-<name>    no email released at all
// POST /test/clock?offset=<seconds>&id_token_ttl=<seconds> moves this provider's clock (tokens it issues look
// that old or new) and sets how long its ID tokens last (an hour unless set).

import Provider from 'oidc-provider';

const [port, clientId, clientSecret, redirectUri, issuerHost = '127.0.0.1'] = process.argv.slice(2);
const issuer = `http://${issuerHost}:${port}`;
let clockOffsetMs = 0;
let idTokenSeconds = 3600;
const realNow = Date.now;
Date.now = () => realNow() + clockOffsetMs;

function claimsFor(accountId) {
  const [kind, ...rest] = accountId.split('-');
  const plain = rest.length === 0;
  const name = plain ? accountId : rest.join('-');
  const claims = { sub: accountId, name: `${name} Example` };
  if (plain || kind !== 'noemail') {
    const domain = !plain && kind === 'outsider' ? 'elsewhere.example' : 'north.nhs.uk';
    claims.email = `${name}@${domain}`;
    claims.email_verified = plain || kind !== 'unverified';
  }
  claims.groups = !plain && kind === 'lead' ? ['staff', 'academy-leads'] : ['staff'];
  return claims;
}

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  // The group claim comes with the profile, as an organisation configures its provider to release it to the
  // academy (the academy asks only for `openid email profile`).
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
  // Claims in the ID token, as Microsoft Entra ID and most NHS organisations' providers send them.
  conformIdTokenClaims: false,
  findAccount: async (ctx, accountId) => ({
    accountId,
    claims: async () => claimsFor(accountId),
  }),
  features: { devInteractions: { enabled: true } },
  // PKCE for every client, confidential ones too, so a client that stopped sending it would fail.
  pkce: { required: () => true },
  ttl: { IdToken: () => idTokenSeconds },
  cookies: { keys: ['informatics-academy-test-only'] },
});

provider.use(async (ctx, next) => {
  if (ctx.method === 'POST' && ctx.path === '/test/clock') {
    clockOffsetMs = Number(ctx.query.offset ?? 0) * 1000;
    idTokenSeconds = Number(ctx.query.id_token_ttl ?? 3600);
    ctx.body = { offset_seconds: clockOffsetMs / 1000, id_token_seconds: idTokenSeconds };
    return;
  }
  await next();
});

provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
