// Drives Portero's OpenID provider the way a real application does, with openid-client (a
// certified relying-party library), and a browser-less user who signs in and approves through
// Portero's own pages. One line per step: "ok   <step> ..." or "FAIL <step>: ..." (then exit 1).
//
// Environment:
//   PORTERO_ISSUER                          issuer URL, e.g. http://localhost:8080
//   RP_CLIENT_ID, RP_CLIENT_SECRET          confidential client (code, refresh, device code), consent required
//   RP_REDIRECT_URI                         its redirect URI; its post-logout URI is RP_POST_LOGOUT_URI
//                                           (default: RP_REDIRECT_URI + "/signed-out")
//   RP_PUBLIC_CLIENT_ID                     public client (no secret, PKCE), same redirect URI
//   RP_SERVICE_CLIENT_ID, RP_SERVICE_CLIENT_SECRET, RP_SERVICE_SCOPE   client-credentials client
//   RP_USER_EMAIL, RP_USER_PASSWORD         the user who signs in
//   RP_KEY_CLIENT_ID, RP_JWKS_PORT          client-credentials client authenticating with private_key_jwt
//                                           (ES256, kid rp-check); its jwks_uri is
//                                           http://127.0.0.1:PORT/jwks.json, which the script serves
//   RP_BACKCHANNEL_PORT                     the confidential client's back-channel logout URI is
//                                           http://127.0.0.1:PORT/backchannel-logout; the script listens there
//
// No server needs to listen at the redirect URIs: the user's redirects are followed by hand and
// the one to a redirect URI is captured, not fetched.

import { createServer } from 'node:http';

import * as client from 'openid-client';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose';

const STEP_TIMEOUT_MS = 30_000;

class StepFailed extends Error {}

function env(name, fallback) {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') {
    console.log(`FAIL setup: environment variable ${name} is not set`);
    process.exit(2);
  }
  return value;
}

function check(condition, message) {
  if (!condition) {
    throw new StepFailed(message);
  }
}

async function describe(error) {
  if (error instanceof client.ResponseBodyError) {
    return `${error.error}${error.error_description ? ` (${error.error_description})` : ''} [HTTP ${error.status}]`;
  }
  if (error instanceof client.AuthorizationResponseError) {
    return `authorization response error ${error.error}${error.error_description ? ` (${error.error_description})` : ''}`;
  }
  const code = error?.code ? ` [${error.code}]` : '';
  return `${error?.message ?? error}${code}${await causeOf(error)}`;
}

async function causeOf(error) {
  const cause = error?.cause;
  if (cause instanceof Response) {
    const challenge = cause.headers.get('www-authenticate');
    const body = cause.bodyUsed ? '' : (await cause.text().catch(() => '')).slice(0, 300);
    return ` (HTTP ${cause.status} from ${cause.url}${challenge ? `, WWW-Authenticate: ${challenge}` : ''}`
      + `${body ? `, body: ${body}` : ''})`;
  }
  return cause ? ` (cause: ${cause.message ?? JSON.stringify(cause)})` : '';
}

async function step(name, action) {
  try {
    const detail = await action();
    console.log(`ok   ${name}${detail ? ` ${detail}` : ''}`);
  }
  catch (error) {
    console.log(`FAIL ${name}: ${await describe(error)}`);
    process.exit(1);
  }
}

/** The OAuth error code of a failed grant, or fails the step if the grant succeeded. */
async function grantError(grant) {
  try {
    await grant;
  }
  catch (error) {
    if (error instanceof client.ResponseBodyError) {
      return error.error;
    }
    throw error;
  }
  throw new StepFailed('the grant succeeded');
}

// --- a browser-less user: a cookie jar, manual redirects, forms read from the HTML --------------

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" };

function unescapeHtml(text) {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name) => {
    if (name[0] === '#') {
      return String.fromCodePoint(name[1].toLowerCase() === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10));
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

function attributes(tag) {
  const found = {};
  for (const match of tag.matchAll(/([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/g)) {
    found[match[1].toLowerCase()] = unescapeHtml(match[3] ?? match[4] ?? match[5]);
  }
  return found;
}

/** Every form of a page: its attributes and its named inputs, in order. */
function forms(html) {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map(([, open, body]) => ({
    attributes: attributes(open),
    inputs: [...body.matchAll(/<(?:input|button)\b[^>]*>/gi)]
      .map(([tag]) => attributes(tag))
      .filter((input) => input.name !== undefined),
  }));
}

class User {
  cookies = new Map();

  async request(url, { method = 'GET', form } = {}) {
    const headers = { accept: 'text/html' };
    if (this.cookies.size > 0) {
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    let body;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    const response = await fetch(url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(STEP_TIMEOUT_MS) });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...flags] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = flags.some((flag) => /^\s*max-age\s*=\s*0\s*$/i.test(flag)) || value === '';
      if (expired) {
        this.cookies.delete(name);
      }
      else {
        this.cookies.set(name, value);
      }
    }
    return response;
  }

  /**
   * Goes to a URL as a browser would: follows redirects, signs in at the login page, and answers
   * the consent page (approves, or declines when told to), until a redirect leaves for one of
   * the given prefixes (returned, not fetched) or a page that is none of those is reached.
   */
  async navigate(start, { stopAt = [], email, password, consent = 'approve' } = {}) {
    const seen = { login: 0, consent: 0 };
    let url = new URL(start);
    let options = {};
    for (let hop = 0; hop < 20; hop++) {
      const response = await this.request(url, options);
      options = {};
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel();
        const location = response.headers.get('location');
        check(location, `HTTP ${response.status} from ${url.pathname} without a Location`);
        const next = new URL(location, url);
        if (stopAt.some((prefix) => next.href.startsWith(prefix))) {
          return { redirect: next, seen };
        }
        url = next;
        continue;
      }
      const html = await response.text();
      check(response.status === 200, `HTTP ${response.status} at ${url.pathname}${url.search}: ${html.slice(0, 300)}`);
      const pageForms = forms(html);
      const login = pageForms.find((form) => form.inputs.some((input) => input.name === 'password')
        && form.inputs.some((input) => input.name === 'username'));
      const approve = pageForms.find((form) => form.attributes.id === 'approve');
      if (login && url.pathname === '/login') {
        check(email && password, 'the login page was shown but no credentials were given');
        check(seen.login === 0, 'the login page came back after signing in (wrong password? throttled?)');
        seen.login++;
        const csrf = login.inputs.find((input) => input.name === '_csrf');
        check(csrf?.value, 'the login form has no _csrf hidden input');
        const fields = { _csrf: csrf.value, username: email, password };
        ({ url, options } = this.submission(url, login, fields));
      }
      else if (approve) {
        check(seen.consent === 0, 'the consent page came back after answering it');
        seen.consent++;
        const chosen = consent === 'approve' ? approve : pageForms.find((form) => form.attributes.id === 'deny');
        check(chosen, `the consent page has no #${consent} form`);
        ({ url, options } = this.submission(url, chosen, {}));
      }
      else {
        return { page: url, html, seen };
      }
    }
    throw new StepFailed(`more than 20 redirects from ${start}`);
  }

  /** The request a browser makes when the form is submitted: its hidden fields plus the given ones. */
  submission(page, form, fields) {
    const values = [];
    for (const input of form.inputs) {
      if ((input.type ?? 'text').toLowerCase() === 'hidden' && !(input.name in fields)) {
        values.push([input.name, input.value ?? '']);
      }
    }
    for (const [name, value] of Object.entries(fields)) {
      values.push([name, value]);
    }
    const action = new URL(form.attributes.action ?? page.href, page);
    const method = (form.attributes.method ?? 'get').toUpperCase();
    if (method === 'GET') {
      action.search = new URLSearchParams(values).toString();
      return { url: action, options: {} };
    }
    return { url: action, options: { method, form: values } };
  }
}

// --- the relying party -------------------------------------------------------------------------

const issuer = env('PORTERO_ISSUER').replace(/\/+$/, '');
const clientId = env('RP_CLIENT_ID');
const clientSecret = env('RP_CLIENT_SECRET');
const redirectUri = env('RP_REDIRECT_URI');
const postLogoutUri = env('RP_POST_LOGOUT_URI', `${redirectUri}/signed-out`);
const publicClientId = env('RP_PUBLIC_CLIENT_ID');
const serviceClientId = env('RP_SERVICE_CLIENT_ID');
const serviceClientSecret = env('RP_SERVICE_CLIENT_SECRET');
const serviceScope = env('RP_SERVICE_SCOPE');
const email = env('RP_USER_EMAIL');
const password = env('RP_USER_PASSWORD');
const backchannelPort = Number(env('RP_BACKCHANNEL_PORT'));
const keyClientId = env('RP_KEY_CLIENT_ID');
const jwksPort = Number(env('RP_JWKS_PORT'));
const SCOPE = 'openid profile email offline_access';
const DEVICE_SCOPE = 'profile email offline_access';

const insecure = { execute: [client.allowInsecureRequests], timeout: STEP_TIMEOUT_MS / 1000 };
const user = new User();

let config;
let publicConfig;
let serviceConfig;

function decodeJwtPart(jwt, index) {
  return JSON.parse(Buffer.from(jwt.split('.')[index], 'base64url').toString('utf8'));
}

/**
 * The front half of the code flow with PKCE: the URL from openid-client (with `pushed`, after
 * pushing the request to the provider, RFC 9126), the user's visit, the code.
 */
async function signIn(rpConfig, scope = SCOPE, extra = {}, pushed = false) {
  const verifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const state = client.randomState();
  const build = pushed ? client.buildAuthorizationUrlWithPAR : client.buildAuthorizationUrl;
  const url = await build(rpConfig, {
    redirect_uri: redirectUri,
    scope,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    nonce,
    state,
    ...extra,
  });
  if (pushed) {
    check(url.searchParams.get('request_uri')?.startsWith('urn:ietf:params:oauth:request_uri:'),
      `no pushed request reference in ${url.href}`);
    check(!url.searchParams.has('scope') && !url.searchParams.has('code_challenge'),
      'the pushed parameters travel in the address as well');
  }
  const visit = await user.navigate(url, { stopAt: [redirectUri], email, password });
  check(visit.redirect, `the user ended on ${visit.page?.pathname} instead of being sent back to the application`);
  const params = visit.redirect.searchParams;
  check(!params.has('error'), `the authorization answered ${params.get('error')}: ${params.get('error_description')}`);
  check(params.get('code'), `no code in ${visit.redirect.href}`);
  return { callback: visit.redirect, verifier, nonce, state, seen: visit.seen };
}

function consentWord(seen, otherwise) {
  return seen.consent > 0 ? 'approved' : otherwise;
}

await step('discovery', async () => {
  // no id_token_signed_response_alg: a client that registered none expects RS256 ID tokens
  // (OpenID Connect Dynamic Client Registration), and openid-client refuses any other
  config = await client.discovery(new URL(issuer), clientId, {
    redirect_uris: [redirectUri],
  }, client.ClientSecretBasic(clientSecret), insecure);
  // also verify the ID tokens' signatures against the JWK Set (not required over TLS, checked here)
  client.enableNonRepudiationChecks(config);
  const metadata = config.serverMetadata();
  check(metadata.issuer === issuer, `issuer ${metadata.issuer} is not ${issuer}`);
  for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint',
    'introspection_endpoint', 'revocation_endpoint', 'device_authorization_endpoint', 'end_session_endpoint']) {
    check(metadata[endpoint]?.startsWith(`${issuer}/`), `${endpoint} is ${metadata[endpoint]}`);
  }
  check(metadata.code_challenge_methods_supported?.includes('S256'), 'S256 PKCE is not advertised');
  check(metadata.id_token_signing_alg_values_supported?.includes('RS256'),
    'RS256 ID tokens are not advertised (OpenID Connect Discovery requires it)');
  check(metadata.id_token_signing_alg_values_supported?.includes('ES256'), 'ES256 ID tokens are not advertised');
  // this client registered ES256 for its ID tokens
  publicConfig = await client.discovery(new URL(issuer), publicClientId, {
    redirect_uris: [redirectUri],
    id_token_signed_response_alg: 'ES256',
  }, client.None(), insecure);
  client.enableNonRepudiationChecks(publicConfig);
  serviceConfig = await client.discovery(new URL(issuer), serviceClientId, undefined,
    client.ClientSecretPost(serviceClientSecret), insecure);
  return `issuer=${metadata.issuer} id_token_algs=${metadata.id_token_signing_alg_values_supported.join(',')}`
    + ` end_session_endpoint=${metadata.end_session_endpoint}`;
});

await step('prompt-none', async () => {
  // a silent sign-in check by a browser with no session: the answer comes back to the client
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid',
    prompt: 'none',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
    state,
  });
  const answer = await fetch(url, { redirect: 'manual', headers: { accept: 'text/html' } });
  const location = new URL(answer.headers.get('location') ?? '', issuer);
  check(location.href.startsWith(redirectUri), `prompt=none was sent to ${location.href}, not back to the client`);
  check(location.searchParams.get('error') === 'login_required', `error=${location.searchParams.get('error')}`);
  check(location.searchParams.get('state') === state, 'state did not come back');
  return 'no session: error=login_required to the redirect URI, state=ok, no page';
});

let first;
await step('authorize', async () => {
  first = await signIn(config);
  check(first.seen.login === 1, 'the user was not asked to sign in');
  check(first.seen.consent === 1, 'the consent page was not shown to a client that requires consent');
  check(first.callback.searchParams.get('state') === first.state, 'state did not come back');
  return `login=form consent=${consentWord(first.seen, 'not-asked')} code=${first.callback.searchParams.get('code').slice(0, 8)}...`
    + ` state=ok (PKCE S256)`;
});

let tokens;
let subject;
await step('token', async () => {
  tokens = await client.authorizationCodeGrant(config, first.callback, {
    pkceCodeVerifier: first.verifier,
    expectedNonce: first.nonce,
    expectedState: first.state,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  check(claims, 'no ID token');
  check(claims.iss === issuer, `iss ${claims.iss}`);
  check([claims.aud].flat().includes(clientId), `aud ${claims.aud}`);
  check(claims.nonce === first.nonce, 'nonce');
  check(claims.email === email, `the ID token's email is ${claims.email}`);
  check(tokens.refresh_token, 'no refresh token for offline_access');
  check(tokens.token_type.toLowerCase() === 'bearer', `token_type ${tokens.token_type}`);
  check(JSON.stringify(claims.amr) === JSON.stringify(['pwd']), `amr ${JSON.stringify(claims.amr)} for a password sign-in`);
  subject = claims.sub;
  const header = decodeJwtPart(tokens.id_token, 0);
  check(header.alg === 'RS256', `a client that registered no algorithm got ${header.alg} ID tokens`);
  // the signature check fetched the JWK Set: the token's key must be in it
  check(client.getJwksCache(config)?.jwks?.keys?.some((key) => key.kid === header.kid),
    `the ID token's key ${header.kid} was not taken from the JWK Set`);
  return `id_token alg=${header.alg} kid=${header.kid} signature=verified(jwks) iss=ok aud=ok nonce=ok amr=pwd sub=${subject}`
    + ` scope="${tokens.scope}" refresh_token=yes`;
});

await step('max-age', async () => {
  // the person signed in a moment ago; max_age=0 asks for a new sign-in all the same
  const before = tokens.claims().auth_time;
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const again = await signIn(config, 'openid', { max_age: '0' });
  check(again.seen.login === 1, 'max_age=0 did not ask the signed-in user to sign in again');
  const fresh = await client.authorizationCodeGrant(config, again.callback, {
    pkceCodeVerifier: again.verifier,
    expectedNonce: again.nonce,
    expectedState: again.state,
  });
  const after = fresh.claims().auth_time;
  check(after > before, `auth_time ${after} is not later than the earlier sign-in's ${before}`);
  return `new sign-in asked=yes auth_time ${before} -> ${after}`;
});

await step('userinfo', async () => {
  const info = await client.fetchUserInfo(config, tokens.access_token, subject);
  check(info.sub === subject, `sub ${info.sub}`);
  check(info.email === email, `email ${info.email}`);
  check(info.email_verified === true, `email_verified ${info.email_verified}`);
  check(info.name, 'no name for the profile scope');
  return `sub=${info.sub} email=${info.email} email_verified=${info.email_verified} name="${info.name}"`;
});

let rotated;
await step('refresh', async () => {
  rotated = await client.refreshTokenGrant(config, tokens.refresh_token);
  check(rotated.refresh_token, 'no refresh token in the refresh response');
  check(rotated.refresh_token !== tokens.refresh_token, 'the refresh token was not rotated');
  check(rotated.access_token !== tokens.access_token, 'the same access token came back');
  if (rotated.id_token) {
    check(rotated.claims().sub === subject, 'the refreshed ID token is for someone else');
  }
  const info = await client.fetchUserInfo(config, rotated.access_token, subject);
  check(info.sub === subject, 'the new access token is not for the same user');
  return `rotated=yes new_access_token=works id_token=${rotated.id_token ? 'yes' : 'no'}`;
});

await step('reuse-detection', async () => {
  const replayed = await grantError(client.refreshTokenGrant(config, tokens.refresh_token));
  check(replayed === 'invalid_grant', `replaying the rotated-out refresh token answered ${replayed}`);
  const newest = await grantError(client.refreshTokenGrant(config, rotated.refresh_token));
  check(newest === 'invalid_grant', `the newest refresh token answered ${newest} after the reuse`);
  const access = await client.tokenIntrospection(config, rotated.access_token);
  check(access.active === false, 'the newest access token is still active after the reuse');
  return `old_refresh=${replayed} newest_refresh=${newest} newest_access_token=inactive (family revoked)`;
});

let second;
await step('introspection', async () => {
  const signedIn = await signIn(config);
  check(signedIn.seen.login === 0, 'the user had to sign in again (no session kept)');
  check(signedIn.seen.consent === 0, 'the consent given a moment ago was asked for again');
  second = await client.authorizationCodeGrant(config, signedIn.callback, {
    pkceCodeVerifier: signedIn.verifier,
    expectedNonce: signedIn.nonce,
    expectedState: signedIn.state,
  });
  const access = await client.tokenIntrospection(config, second.access_token);
  check(access.active === true, 'a live access token is inactive');
  check(access.sub === subject, `sub ${access.sub}`);
  check(access.client_id === clientId, `client_id ${access.client_id}`);
  const scopes = (access.scope ?? '').split(' ');
  check(['openid', 'email', 'profile'].every((scope) => scopes.includes(scope)), `scope "${access.scope}"`);
  check(access.token_type === undefined || access.token_type.toLowerCase() === 'bearer', `token_type ${access.token_type}`);
  const refresh = await client.tokenIntrospection(config, second.refresh_token);
  check(refresh.active === true, 'a live refresh token is inactive');
  return `second sign-in: session kept, consent=${consentWord(signedIn.seen, 'remembered')}; access_token active=true sub=ok`
    + ` client_id=ok scope="${access.scope}" exp=${access.exp}; refresh_token active=true`;
});

await step('revocation', async () => {
  await client.tokenRevocation(config, second.access_token, { token_type_hint: 'access_token' });
  const access = await client.tokenIntrospection(config, second.access_token);
  check(access.active === false, 'the revoked access token is still active');
  await client.tokenRevocation(config, second.refresh_token, { token_type_hint: 'refresh_token' });
  const refresh = await client.tokenIntrospection(config, second.refresh_token);
  check(refresh.active === false, 'the revoked refresh token is still active');
  const refused = await grantError(client.refreshTokenGrant(config, second.refresh_token));
  check(refused === 'invalid_grant', `refreshing with the revoked refresh token answered ${refused}`);
  return `access_token active=false refresh_token active=false refresh=${refused}`;
});

await step('public-client', async () => {
  const signedIn = await signIn(publicConfig);
  const publicTokens = await client.authorizationCodeGrant(publicConfig, signedIn.callback, {
    pkceCodeVerifier: signedIn.verifier,
    expectedNonce: signedIn.nonce,
    expectedState: signedIn.state,
  });
  check(publicTokens.claims().sub === subject, 'the public client got another subject');
  check([publicTokens.claims().aud].flat().includes(publicClientId), 'aud is not the public client');
  // with another verifier the same exchange must fail: PKCE is enforced, not decorative
  const again = await signIn(publicConfig);
  const wrongVerifier = await grantError(client.authorizationCodeGrant(publicConfig, again.callback, {
    pkceCodeVerifier: client.randomPKCECodeVerifier(),
    expectedNonce: again.nonce,
    expectedState: again.state,
  }));
  check(wrongVerifier === 'invalid_grant', `a wrong code_verifier answered ${wrongVerifier}`);
  return `auth=none consent=${consentWord(signedIn.seen, 'not-asked(first-party)')} id_token=verified sub=ok wrong_code_verifier=${wrongVerifier}`;
});

await step('client-credentials', async () => {
  const granted = await client.clientCredentialsGrant(serviceConfig, { scope: serviceScope });
  check(granted.access_token, 'no access token');
  check(!granted.refresh_token, 'a refresh token for client credentials');
  check(!granted.id_token, 'an ID token for client credentials');
  const scopes = (granted.scope ?? '').split(' ');
  check(scopes.includes(serviceScope), `scope "${granted.scope}"`);
  const claims = decodeJwtPart(granted.access_token, 1);
  check(claims.sub === serviceClientId, `sub ${claims.sub}`);
  const introspected = await client.tokenIntrospection(serviceConfig, granted.access_token);
  check(introspected.active === true && introspected.client_id === serviceClientId, 'not active for the service client');
  return `token_type=${granted.token_type} scope="${granted.scope}" expires_in=${granted.expires_in} sub=client active=true`;
});

/** Serves one public key as a JWK Set at http://127.0.0.1:PORT/jwks.json (the client's jwks_uri). */
function serveJwks(port, jwk) {
  const server = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

await step('private-key-jwt', async () => {
  // a client that authenticates with an assertion signed by its own key (RFC 7523), no secret
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const server = await serveJwks(jwksPort, { ...(await exportJWK(publicKey)), kid: 'rp-check', alg: 'ES256', use: 'sig' });
  try {
    const keyConfig = await client.discovery(new URL(issuer), keyClientId, undefined,
      client.PrivateKeyJwt({ key: privateKey, kid: 'rp-check' }), insecure);
    check(keyConfig.serverMetadata().token_endpoint_auth_methods_supported?.includes('private_key_jwt'),
      'private_key_jwt is not advertised');
    const granted = await client.clientCredentialsGrant(keyConfig, { scope: serviceScope });
    check(granted.access_token, 'no access token');
    const claims = decodeJwtPart(granted.access_token, 1);
    check(claims.client_id === keyClientId && claims.sub === keyClientId, `client_id ${claims.client_id}`);
    check(decodeJwtPart(granted.access_token, 0).typ === 'at+jwt', 'the access token is not typed at+jwt (RFC 9068)');
    const introspected = await client.tokenIntrospection(keyConfig, granted.access_token);
    check(introspected.active === true && introspected.client_id === keyClientId, 'not active for the key client');
    return `assertion=ES256 kid=rp-check token typ=at+jwt client_id=ok introspection(private_key_jwt) active=true`;
  }
  finally {
    server.close();
  }
});

await step('dpop', async () => {
  // tokens bound to a key the application holds (RFC 9449): useless to anyone who steals them
  const dpop = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
  const signedIn = await signIn(config, 'openid email');
  const bound = await client.authorizationCodeGrant(config, signedIn.callback, {
    pkceCodeVerifier: signedIn.verifier,
    expectedNonce: signedIn.nonce,
    expectedState: signedIn.state,
  }, undefined, { DPoP: dpop });
  check(bound.token_type.toLowerCase() === 'dpop', `token_type ${bound.token_type}`);
  check(decodeJwtPart(bound.access_token, 1).cnf?.jkt, 'the access token names no key (cnf.jkt)');
  const info = await client.fetchUserInfo(config, bound.access_token, subject, { DPoP: dpop });
  check(info.sub === subject, `userinfo sub ${info.sub}`);
  const asBearer = await fetch(`${issuer}/userinfo`, { headers: { authorization: `Bearer ${bound.access_token}` } });
  await asBearer.body?.cancel();
  check(asBearer.status === 401, `the bound token worked as a bearer token (${asBearer.status})`);
  return `token_type=DPoP cnf.jkt=yes userinfo(with proof)=ok as_bearer=${asBearer.status}`;
});

await step('par', async () => {
  // the request pushed to the provider first (RFC 9126): the address carries a reference only
  check(config.serverMetadata().pushed_authorization_request_endpoint === `${issuer}/oauth2/par`,
    `pushed_authorization_request_endpoint is ${config.serverMetadata().pushed_authorization_request_endpoint}`);
  const signedIn = await signIn(config, 'openid email', {}, true);
  check(signedIn.callback.searchParams.get('state') === signedIn.state, 'state did not come back');
  const answer = await client.authorizationCodeGrant(config, signedIn.callback, {
    pkceCodeVerifier: signedIn.verifier,
    expectedNonce: signedIn.nonce,
    expectedState: signedIn.state,
  });
  check(answer.claims()?.sub === subject, `ID token sub ${answer.claims()?.sub}`);
  return 'pushed to /oauth2/par, browser sent with request_uri only, code exchanged, state=ok nonce=ok';
});

await step('device', async () => {
  // no openid: Spring's authorization server issues no ID token in this flow and refuses the scope
  const started = await client.initiateDeviceAuthorization(config, { scope: DEVICE_SCOPE });
  check(started.user_code && started.device_code, 'no codes');
  check(started.verification_uri?.startsWith(`${issuer}/device`), `verification_uri ${started.verification_uri}`);
  check(started.verification_uri_complete?.includes(encodeURIComponent(started.user_code))
    || started.verification_uri_complete?.includes(started.user_code), 'verification_uri_complete lacks the user code');
  // before the user says yes, the device is told to wait
  const pending = await grantError(client.genericGrantRequest(config, 'urn:ietf:params:oauth:grant-type:device_code',
    { device_code: started.device_code }));
  check(pending === 'authorization_pending', `polling before approval answered ${pending}`);
  const polling = client.pollDeviceAuthorizationGrant(config, started, undefined, { signal: AbortSignal.timeout(60_000) });
  polling.catch(() => {});
  // the user opens the link, sees the code filled in, sends the form, approves
  const page = await user.navigate(started.verification_uri_complete, { email, password });
  check(page.html, 'the verification page did not show');
  const form = forms(page.html).find((candidate) => (candidate.attributes.action ?? '').endsWith('/oauth2/device_verification'));
  check(form, 'the /device page has no form to /oauth2/device_verification');
  const filled = form.inputs.find((input) => input.name === 'user_code');
  check(filled?.value === started.user_code, `the form was not filled with the user code (${filled?.value})`);
  const { url } = user.submission(page.page, form, { user_code: filled.value });
  const done = await user.navigate(url, { email, password });
  // the consent given to this client in the browser flows covers these scopes, so it is not asked again
  check(done.page?.pathname === '/device' && done.page.searchParams.has('done'),
    `the user ended on ${done.page?.pathname}${done.page?.search}`);
  const granted = await polling;
  check(granted.access_token && granted.refresh_token, 'no tokens for the device');
  check(!granted.id_token, 'an ID token without the openid scope');
  const introspected = await client.tokenIntrospection(config, granted.access_token);
  check(introspected.active === true && introspected.sub === subject, 'the device token is not the user\'s');
  check(introspected.scope?.split(' ').includes('email'), `device token scope "${introspected.scope}"`);
  return `user_code=${started.user_code} interval=${started.interval ?? 5}s pending_before_approval=${pending}`
    + ` consent=${consentWord(done.seen, 'remembered')} page=/device?done access_token+refresh_token=yes sub=ok scope="${granted.scope}"`;
});

/** A loopback receiver of back-channel logout tokens (what an application's server would run). */
function logoutReceiver(port) {
  const tokens = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      const token = new URLSearchParams(body).get('logout_token');
      if (request.method === 'POST' && token) {
        tokens.push({ token, type: request.headers['content-type'] ?? '' });
      }
      response.writeHead(token ? 200 : 400).end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({ tokens, close: () => server.close() }));
  });
}

await step('logout', async () => {
  const receiver = await logoutReceiver(backchannelPort);
  try {
    return await logoutAndHearIt(receiver);
  }
  finally {
    receiver.close();
  }
});

async function logoutAndHearIt(receiver) {
  const signedIn = await signIn(config);
  const fresh = await client.authorizationCodeGrant(config, signedIn.callback, {
    pkceCodeVerifier: signedIn.verifier,
    expectedNonce: signedIn.nonce,
    expectedState: signedIn.state,
  });
  const before = await user.request(new URL('/account', issuer));
  await before.body?.cancel();
  check(before.status === 200, `/account answered ${before.status} before logout`);
  const state = client.randomState();
  const endSession = client.buildEndSessionUrl(config, {
    id_token_hint: fresh.id_token,
    post_logout_redirect_uri: postLogoutUri,
    state,
  });
  const visit = await user.navigate(endSession, { stopAt: [postLogoutUri] });
  check(visit.redirect, `the logout ended on ${visit.page?.pathname}${visit.page?.search} instead of the post-logout URI`);
  check(visit.redirect.searchParams.get('state') === state, `state did not come back: ${visit.redirect.href}`);
  const after = await user.request(new URL('/account', issuer));
  await after.body?.cancel();
  const location = after.headers.get('location') ?? '';
  check(after.status >= 300 && after.status < 400 && new URL(location, issuer).pathname === '/login',
    `/account answered ${after.status} ${location} after logout`);
  // back-channel logout: a signed logout token for the session that ended, verified as an application would
  const sid = fresh.claims().sid;
  check(sid, 'the ID token names no session (sid)');
  const deadline = Date.now() + 20_000;
  let heard;
  while (!heard && Date.now() < deadline) {
    for (const received of receiver.tokens) {
      const { payload, protectedHeader } = await jwtVerify(received.token,
        createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri)), { issuer, audience: clientId, typ: 'logout+jwt' });
      if (payload.sid === sid) {
        heard = { payload, protectedHeader, type: received.type };
      }
    }
    if (!heard) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  check(heard, `no logout token for sid ${sid} reached the back-channel logout URI (${receiver.tokens.length} other(s))`);
  check(heard.type.startsWith('application/x-www-form-urlencoded'), `logout token sent as ${heard.type}`);
  check(heard.payload.events?.['http://schemas.openid.net/event/backchannel-logout'], 'no back-channel logout event');
  check(heard.payload.sub === subject, `logout token sub ${heard.payload.sub}`);
  check(heard.payload.jti && heard.payload.iat, 'logout token without jti or iat');
  check(heard.payload.nonce === undefined, 'a logout token must not carry a nonce');
  return `end_session redirect=${visit.redirect.origin}${visit.redirect.pathname} state=ok /account -> /login`
    + ` backchannel logout_token typ=${heard.protectedHeader.typ} alg=${heard.protectedHeader.alg} signature=verified(jwks) sid=ok sub=ok`;
}

console.log('done all steps passed');
