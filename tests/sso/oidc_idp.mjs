// A real OpenID Connect provider for the tests: npm oidc-provider (engage/frontend devDependency) on 127.0.0.1.
//
//   OIDC_PORT=N OIDC_REDIRECT_URIS=a,b OIDC_PROVIDER_MODULE=.../oidc-provider/lib/index.js node tests/sso/oidc_idp.mjs
//
// Its built-in login and consent pages (devInteractions) accept any password. The login name decides who you are,
// the way a Google account would:
//   alice@acme.test      email alice@acme.test, verified, hd "acme.test" (a Workspace account)
//   bob@gmail.com        no hd claim (a consumer account)
//   unverified@acme.test email_verified false
//   otheraud@acme.test   the token endpoint answers with an id_token issued to another client ("other-app")
import { pathToFileURL } from 'node:url';

const { default: Provider } = await import(pathToFileURL(process.env.OIDC_PROVIDER_MODULE).href);
const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const secret = process.env.OIDC_CLIENT_SECRET || 'engage-test-secret';

function claimsFor(id) {
  const email = (id.includes('@') ? id : `${id}@acme.test`).toLowerCase();
  const [local, domain] = email.split('@');
  const claims = {
    sub: email, email, email_verified: !local.startsWith('unverified'),
    name: `${local[0].toUpperCase()}${local.slice(1)} Example`, given_name: `${local[0].toUpperCase()}${local.slice(1)}`,
    family_name: 'Example',
  };
  if (domain !== 'gmail.com') claims.hd = domain;
  return claims;
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.OIDC_CLIENT_ID || 'engage', client_secret: secret,
      redirect_uris: process.env.OIDC_REDIRECT_URIS.split(','),
      grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_post',
    },
    {
      client_id: 'other-app', client_secret: 'other-secret', redirect_uris: ['http://127.0.0.1:9/cb'],
      grant_types: ['authorization_code'], response_types: ['code'],
    },
  ],
  claims: { openid: ['sub'], email: ['email', 'email_verified', 'hd'], profile: ['name', 'given_name', 'family_name'] },
  conformIdTokenClaims: false, // email and profile claims in the id_token too, as Google does
  async findAccount(ctx, id) {
    return { accountId: id, async claims() { return claimsFor(id); } };
  },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['engage-test-cookie-key'] },
});

// A misbehaving IdP for one account: the id_token it returns was issued to another client (aud "other-app").
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== '/token' || !ctx.body || !ctx.body.id_token) return;
  const payload = JSON.parse(Buffer.from(ctx.body.id_token.split('.')[1], 'base64url').toString());
  if (!String(payload.sub).startsWith('otheraud')) return;
  const other = await provider.Client.find('other-app');
  const token = new provider.IdToken(claimsFor(payload.sub), { ctx, client: other });
  token.scope = 'openid email profile';
  token.set('nonce', payload.nonce);
  ctx.body.id_token = await token.issue({ use: 'idtoken' });
});

provider.listen(port, '127.0.0.1', () => console.log(`oidc idp listening on ${issuer}`));
