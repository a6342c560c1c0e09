import * as assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseLines, rawExchange, request, startApp, type RunningApp } from './helpers';

// One built app process, driven over real HTTP on loopback as ECS would run it.
describe('the built app over HTTP', () => {
  let app: RunningApp;
  before(async () => {
    app = await startApp({ APP_COMMIT_ID: '0123abcd', APP_IMAGE_TAG: 'build-42' });
  });
  after(() => app.kill());

  test('GET / says hello, exactly', async () => {
    const res = await request(app.port, 'GET', '/');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(res.body, 'Hello CodePipeline.');
    assert.equal(res.headers['content-length'], '19');
  });

  test('a query string does not change the route', async () => {
    const res = await request(app.port, 'GET', '/?utm=x');
    assert.equal(res.status, 200);
    assert.equal(res.body, 'Hello CodePipeline.');
  });

  test('HEAD / has the headers and no body', async () => {
    const res = await request(app.port, 'HEAD', '/');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-length'], '19');
    assert.equal(res.body, '');
  });

  test('GET /healthz is ok', async () => {
    const res = await request(app.port, 'GET', '/healthz');
    assert.equal(res.status, 200);
    assert.equal(res.body, 'ok');
  });

  test('GET /version reports the build from the environment', async () => {
    const res = await request(app.port, 'GET', '/version');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.deepEqual(JSON.parse(res.body), { commit: '0123abcd', imageTag: 'build-42' });
  });

  test('unknown paths are 404 and still carry x-app-version', async () => {
    const res = await request(app.port, 'GET', '/nope');
    assert.equal(res.status, 404);
    assert.equal(res.headers['x-app-version'], 'build-42');
  });

  test('every response names the image tag', async () => {
    for (const urlPath of ['/', '/healthz', '/version']) {
      const res = await request(app.port, 'GET', urlPath);
      assert.equal(res.headers['x-app-version'], 'build-42', urlPath);
    }
  });

  test('a known path with another method is 405 with allow', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await request(app.port, method, '/healthz');
      assert.equal(res.status, 405, method);
      assert.equal(res.headers.allow, 'GET, HEAD');
    }
  });

  test('a malformed request line gets 400 and the app keeps serving', async () => {
    const reply = await rawExchange(app.port, 'NOT A REQUEST\r\n\r\n');
    assert.match(reply, /^HTTP\/1\.1 400 /);
    assert.equal((await request(app.port, 'GET', '/')).status, 200);
  });

  test('a 64 KiB header gets 431 and the app keeps serving', async () => {
    const reply = await rawExchange(app.port, `GET / HTTP/1.1\r\nHost: test\r\nx-big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
    assert.match(reply, /^HTTP\/1\.1 431 /);
    assert.equal((await request(app.port, 'GET', '/')).status, 200);
  });

  test('garbage pipelined after a good request: the good one is answered intact, then the connection closes', async () => {
    const reply = await rawExchange(app.port, 'GET / HTTP/1.1\r\nHost: test\r\n\r\n\x00\x01garbage\r\n\r\n');
    // Like Node's own handler, the app adds a 400 only when no response has
    // begun on the connection; either way the first response must be whole.
    assert.match(reply, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nHello CodePipeline\.(HTTP\/1\.1 400 [\s\S]*)?$/);
    assert.equal((await request(app.port, 'GET', '/')).status, 200);
  });

  test('a request without Host is 400 (HTTP/1.1 requires it)', async () => {
    const reply = await rawExchange(app.port, 'GET / HTTP/1.1\r\n\r\n');
    assert.match(reply, /^HTTP\/1\.1 400 /);
  });

  test('an absolute-form target is routed by its path (RFC 9112 §3.2.2)', async () => {
    for (const [target, body] of [
      ['http://app.example/version?x=1', '{"commit":"0123abcd","imageTag":"build-42"}'],
      ['HTTP://app.example:8080/healthz', 'ok'],
      ['http://app.example', 'Hello CodePipeline.'],
      ['http://app.example?x=1', 'Hello CodePipeline.'],
    ] as const) {
      const reply = await rawExchange(app.port, `GET ${target} HTTP/1.1\r\nHost: app.example\r\nConnection: close\r\n\r\n`);
      assert.match(reply, /^HTTP\/1\.1 200 /, target);
      assert.ok(reply.endsWith(`\r\n\r\n${body}`), target);
    }
    const reply = await rawExchange(app.port, 'GET http://app.example/nope HTTP/1.1\r\nHost: app.example\r\nConnection: close\r\n\r\n');
    assert.match(reply, /^HTTP\/1\.1 404 /);
    await app.waitForLog((l) => l.msg === 'request' && l.path === '/nope');
  });

  test('answers Node would otherwise write itself have the app headers, close the connection and are logged', async () => {
    const cases: Array<[string, number]> = [
      ['GET / HTTP/1.1\r\n\r\n', 400], // no Host
      ['GET / HTTP/1.1\r\nHost: t\r\nExpect: bogus\r\n\r\n', 417],
      ['CONNECT tunnel.example:443 HTTP/1.1\r\nHost: tunnel.example:443\r\n\r\n', 405],
      ['NOT A REQUEST\r\n\r\n', 400],
      [`GET / HTTP/1.1\r\nHost: t\r\nx-big: ${'a'.repeat(64 * 1024)}\r\n\r\n`, 431],
    ];
    for (const [payload, status] of cases) {
      const reply = await rawExchange(app.port, payload);
      const head = reply.slice(0, reply.indexOf('\r\n\r\n')).toLowerCase();
      const what = `${payload.slice(0, 30)}...`;
      assert.match(head, new RegExp(`^http/1\\.1 ${status} `), what);
      assert.match(head, /\r\ncache-control: no-store(\r\n|$)/, what);
      assert.match(head, /\r\nx-app-version: build-42(\r\n|$)/, what);
      assert.match(head, /\r\nconnection: close(\r\n|$)/, what);
    }
    assert.match((await rawExchange(app.port, cases[2]![0])).toLowerCase(), /\r\nallow: get, head\r\n/);
    await app.waitForLog((l) => l.msg === 'request' && l.status === 417);
    await app.waitForLog((l) => l.msg === 'request' && l.method === 'CONNECT' && l.status === 405);
    await app.waitForLog((l) => l.msg === 'request' && l.method === 'GET' && l.status === 400);
    await app.waitForLog((l) => l.msg === 'client error' && l.status === 400);
  });

  test('a body above the limit is refused with 413 before it is read, and the connection closed', async () => {
    // 4 GiB announced and a few bytes sent: the answer cannot have waited for the rest.
    const reply = await rawExchange(app.port, 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4294967296\r\n\r\nsome bytes');
    assert.match(reply, /^HTTP\/1\.1 413 [\s\S]*\r\nconnection: close\r\n[\s\S]*\r\n\r\nContent Too Large$/i);
    await app.waitForLog((l) => l.msg === 'request' && l.method === 'POST' && l.status === 413);
  });

  test('with Expect: 100-continue, a body above the limit is refused before the client sends it', async () => {
    const reply = await rawExchange(app.port, 'PUT / HTTP/1.1\r\nHost: t\r\nContent-Length: 1048576\r\nExpect: 100-continue\r\n\r\n');
    assert.match(reply, /^HTTP\/1\.1 413 /);
    assert.doesNotMatch(reply, /100 Continue/);
    const small = await rawExchange(app.port, 'PUT / HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nExpect: 100-continue\r\nConnection: close\r\n\r\nhi');
    assert.match(small, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 405 /);
  });

  test('a chunked body is refused with 413 as soon as it passes the limit', async () => {
    const chunk = `400\r\n${'a'.repeat(1024)}\r\n`;
    // The terminating chunk never comes: the answer cannot have waited for it.
    const reply = await rawExchange(app.port, `POST /healthz HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}${chunk}`);
    assert.match(reply, /^HTTP\/1\.1 413 /);
  });

  test('a small body is read and discarded, and the connection carries the next request', async () => {
    const small = 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello';
    const chunked = 'POST /version HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n';
    const reply = await rawExchange(app.port, `${small}${chunked}GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
    const statuses = [...reply.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]);
    assert.deepEqual(statuses, ['405', '405', '200']);
  });

  test('logs are one JSON object per line, without query strings or headers', async () => {
    // Lines are written in batches, in order: once this request's line (the
    // only HEAD /healthz) is out, so are the lines of every test before it.
    await request(app.port, 'HEAD', '/healthz?token=query-canary', { 'x-canary': 'header-canary' });
    const line = await app.waitForLog((l) => l.msg === 'request' && l.path === '/healthz' && l.method === 'HEAD');
    assert.equal(line.status, 200);

    const lines = parseLines(app.rawLines);
    const requests = lines.filter((l) => l.msg === 'request');
    assert.ok(requests.length >= 10);
    for (const l of requests) {
      assert.equal(typeof l.time, 'string');
      assert.equal(typeof l.method, 'string');
      assert.equal(typeof l.path, 'string');
      assert.equal(typeof l.status, 'number');
      assert.equal(typeof l.durationMs, 'number');
      assert.ok(!String(l.path).includes('?'));
    }
    assert.ok(lines.some((l) => l.msg === 'listening' && l.commit === '0123abcd'));
    assert.ok(lines.some((l) => l.msg === 'client error' && l.status === 431));
    assert.ok(!requests.some((l) => String(l.path).includes('app.example')), 'an absolute-form target was logged whole');
    const all = app.rawLines.join('\n');
    assert.ok(!all.includes('canary'), 'a query string or header value reached the logs');
  });
});
