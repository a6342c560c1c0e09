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
    const all = app.rawLines.join('\n');
    assert.ok(!all.includes('canary'), 'a query string or header value reached the logs');
  });
});
