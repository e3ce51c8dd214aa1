// Stand-ins for the outside world during the browser tests, on loopback:
// an SMTP server that keeps every mail (read back over HTTP), and an OAuth
// provider that speaks like GitHub (authorize, token with PKCE, /user,
// /user/emails). Portcullis talks to them over its real code paths.
import http from 'node:http';
import net from 'node:net';
import crypto from 'node:crypto';

const smtpPort = Number(process.env.E2E_SMTP_PORT ?? 2525);
const httpPort = Number(process.env.E2E_FAKE_PORT ?? 3190);
const clientId = 'e2e-client';
const clientSecret = 'e2e-secret';

const mails = [];
net
  .createServer((socket) => {
    let buffer = '';
    let inData = false;
    let rcpt = [];
    let data = [];
    socket.write('220 sink ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let end;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            mails.push({ to: rcpt, data: data.join('\r\n') });
            socket.write('250 queued\r\n');
          } else {
            data.push(line.startsWith('..') ? line.slice(1) : line);
          }
          continue;
        }
        const verb = line.split(' ')[0].toUpperCase();
        if (verb === 'MAIL') {
          rcpt = [];
          socket.write('250 OK\r\n');
        } else if (verb === 'RCPT') {
          rcpt.push(line.replace(/^RCPT TO:\s*<?([^>]*)>?.*$/i, '$1'));
          socket.write('250 OK\r\n');
        } else if (verb === 'DATA') {
          inData = true;
          data = [];
          socket.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') {
          socket.end('221 bye\r\n');
        } else {
          socket.write('250 sink\r\n');
        }
      }
    });
    socket.on('error', () => {});
  })
  .listen(smtpPort, '127.0.0.1');

let nextAccount = null;
const codes = new Map();
const tokens = new Map();
let counter = 0;

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readBody(req) {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => resolve(body));
  });
}

http
  .createServer(async (req, res) => {
    const url = new URL(req.url, `http://127.0.0.1:${httpPort}`);
    if (url.pathname === '/health') return json(res, 200, { ok: true });
    if (url.pathname === '/mails') return json(res, 200, mails);
    if (url.pathname === '/next-account' && req.method === 'POST') {
      nextAccount = JSON.parse(await readBody(req));
      return json(res, 200, { ok: true });
    }
    if (url.pathname === '/authorize') {
      const q = url.searchParams;
      if (q.get('client_id') !== clientId || q.get('code_challenge_method') !== 'S256' || !nextAccount) {
        return json(res, 400, { error: 'invalid_request' });
      }
      const code = `code-${++counter}`;
      codes.set(code, { challenge: q.get('code_challenge'), redirect: q.get('redirect_uri'), account: nextAccount });
      res.writeHead(302, { location: `${q.get('redirect_uri')}?code=${code}&state=${encodeURIComponent(q.get('state'))}` });
      return res.end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const expected = 'Basic ' + Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
      if (req.headers.authorization !== expected) return json(res, 401, { error: 'invalid_client' });
      const form = new URLSearchParams(await readBody(req));
      const grant = codes.get(form.get('code'));
      codes.delete(form.get('code'));
      const computed = crypto.createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url');
      if (!grant || grant.challenge !== computed || grant.redirect !== form.get('redirect_uri')) {
        return json(res, 400, { error: 'invalid_grant' });
      }
      const token = `token-${++counter}`;
      tokens.set(token, grant.account);
      return json(res, 200, { access_token: token, token_type: 'bearer', expires_in: 3600 });
    }
    const account = tokens.get((req.headers.authorization ?? '').replace('Bearer ', ''));
    if (url.pathname === '/user') {
      return account ? json(res, 200, { id: account.id, login: account.login, name: account.name ?? null }) : json(res, 401, {});
    }
    if (url.pathname === '/user/emails') {
      return account ? json(res, 200, [{ email: account.email, primary: true, verified: true }]) : json(res, 401, {});
    }
    json(res, 404, { error: 'not found' });
  })
  .listen(httpPort, '127.0.0.1');
