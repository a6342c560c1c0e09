import * as assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { describe, test, type TestContext } from 'node:test';
import { rawExchange, request, type LogLine } from './helpers';
import { readConfig } from '../src/config';
import { createLogger } from '../src/log';
import { createApp, createServer, DEFAULT_LIMITS, type Limits } from '../src/server';

// Each server is closed by the test's after hook, so a failed assertion cannot
// leave a listening socket that keeps the test process alive.
async function listen(t: TestContext, limits: Limits = DEFAULT_LIMITS) {
  let written = '';
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written += chunk.toString('utf8');
      done();
    },
  });
  const logger = createLogger(out, 60_000);
  const logs = (): LogLine[] => {
    logger.flush();
    return written.split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogLine);
  };
  const options = { commitId: 'c', imageTag: 't', logger };
  const app = createApp(options);
  const server: Server = createServer(app, options, limits);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const close = async () => {
    if (!server.listening) return;
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  };
  t.after(close);
  return { app, server, port, logs, close };
}

describe('createServer', () => {
  test('applies the limits', async (t) => {
    const { server, close } = await listen(t);
    assert.equal(server.headersTimeout, DEFAULT_LIMITS.headersTimeoutMs);
    assert.equal(server.requestTimeout, DEFAULT_LIMITS.requestTimeoutMs);
    assert.ok(server.keepAliveTimeout > 60_000, 'keep-alive must outlast the load balancer idle timeout');
    await close();
  });

  test('a client that never finishes its headers gets 408', async (t) => {
    // Short limits so the timeout fires within the test; only the outcome is checked.
    const { port, logs, close } = await listen(t, {
      ...DEFAULT_LIMITS,
      headersTimeoutMs: 200,
      requestTimeoutMs: 200,
      connectionsCheckingIntervalMs: 50,
    });
    const reply = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: test\r\n');
    assert.match(reply, /^HTTP\/1\.1 408 /);
    assert.ok(logs().some((l) => l.msg === 'client error' && l.status === 408));
    await close();
  });

  test('draining: healthz is 503 and every response closes its connection', async (t) => {
    const { app, port, close } = await listen(t);
    app.startDraining();
    assert.equal(app.draining, true);
    const health = await request(port, 'GET', '/healthz', { connection: 'keep-alive' });
    assert.equal(health.status, 503);
    assert.equal(health.headers.connection, 'close');
    const hello = await request(port, 'GET', '/', { connection: 'keep-alive' });
    assert.equal(hello.status, 200);
    assert.equal(hello.headers.connection, 'close');
    await close();
  });

  test('request log lines carry method, path without query, status and duration', async (t) => {
    const { port, logs, close } = await listen(t);
    await request(port, 'DELETE', '/version?x=1');
    await close();
    const line = logs().find((l) => l.msg === 'request');
    assert.ok(line);
    assert.equal(line.method, 'DELETE');
    assert.equal(line.path, '/version');
    assert.equal(line.status, 405);
    assert.equal(typeof line.durationMs, 'number');
  });
});

describe('readConfig', () => {
  test('defaults', () => {
    assert.deepEqual(readConfig({}), { port: 8080, shutdownTimeoutMs: 10_000, commitId: 'unknown', imageTag: 'unknown' });
  });

  test('reads every setting', () => {
    const config = readConfig({ PORT: '3000', SHUTDOWN_TIMEOUT_MS: '5000', APP_COMMIT_ID: 'abc1234', APP_IMAGE_TAG: 'abc1234' });
    assert.deepEqual(config, { port: 3000, shutdownTimeoutMs: 5000, commitId: 'abc1234', imageTag: 'abc1234' });
  });

  test('rejects malformed numbers instead of guessing', () => {
    for (const PORT of ['eighty', '-1', '70000', '80.5']) assert.throws(() => readConfig({ PORT }), /PORT/);
    for (const SHUTDOWN_TIMEOUT_MS of ['0', 'soon']) assert.throws(() => readConfig({ SHUTDOWN_TIMEOUT_MS }), /SHUTDOWN_TIMEOUT_MS/);
  });

  test('keeps header-breaking characters out of the image tag', () => {
    assert.equal(readConfig({ APP_IMAGE_TAG: 'v1\r\nx-evil: 1' }).imageTag, 'v1x-evil:1');
    assert.equal(readConfig({ APP_IMAGE_TAG: ' \n' }).imageTag, 'unknown');
  });
});
