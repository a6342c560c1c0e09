import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { holdRequest, parseLines, request, startApp, tryConnect } from './helpers';

test('SIGTERM: no new connections, in-flight requests finish, exit 0', async (t) => {
  const app = await startApp();
  t.after(() => app.kill());
  // Each held request has its headers half sent, so the server has begun it
  // but cannot answer yet: an honest in-flight request, with no slow route
  // added to the app for the sake of the test.
  const greeting = await holdRequest(app.port, '/');
  const health = await holdRequest(app.port, '/healthz');
  // An idle keep-alive connection must not hold up the shutdown.
  assert.equal((await request(app.port, 'GET', '/', { connection: 'keep-alive' })).status, 200);

  app.child.kill('SIGTERM');
  await app.waitForLog((l) => l.msg === 'draining');
  assert.equal(await tryConnect(app.port), 'ECONNREFUSED');
  assert.equal(app.child.exitCode, null, 'exited with requests still in flight');

  const healthReply = await health.finish();
  assert.match(healthReply, /^HTTP\/1\.1 503 /);
  assert.match(healthReply, /\r\nconnection: close\r\n/i);

  const greetingReply = await greeting.finish();
  assert.match(greetingReply, /^HTTP\/1\.1 200 OK\r\n/);
  assert.ok(greetingReply.endsWith('\r\n\r\nHello CodePipeline.'));

  assert.deepEqual(await app.exited, { code: 0, signal: null });
  const lines = parseLines(app.rawLines);
  assert.ok(lines.some((l) => l.msg === 'request' && l.path === '/healthz' && l.status === 503));
  assert.equal(lines.at(-1)?.msg, 'shutdown complete');
});

test('SIGINT drains the same way', async (t) => {
  const app = await startApp();
  t.after(() => app.kill());
  app.child.kill('SIGINT');
  assert.deepEqual(await app.exited, { code: 0, signal: null });
  assert.ok(parseLines(app.rawLines).some((l) => l.msg === 'draining' && l.signal === 'SIGINT'));
});

test('a request that never finishes cannot delay the exit past SHUTDOWN_TIMEOUT_MS', async (t) => {
  const app = await startApp({ SHUTDOWN_TIMEOUT_MS: '300' });
  t.after(() => app.kill());
  const stuck = await holdRequest(app.port, '/');
  t.after(() => stuck.socket.destroy());
  app.child.kill('SIGTERM');
  assert.deepEqual(await app.exited, { code: 1, signal: null });
  assert.ok(parseLines(app.rawLines).some((l) => l.msg === 'shutdown timed out, exiting with requests still open'));
});

test('a malformed setting stops the app with exit code 1 and a JSON reason', async () => {
  await assert.rejects(startApp({ PORT: 'eighty' }), /exited with code 1;[\s\S]*"msg":"invalid configuration"/);
});
