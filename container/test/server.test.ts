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

  test('stopping: healthz is 503 and nothing else changes, connections stay open', async (t) => {
    const { app, port, close } = await listen(t);
    app.markStopping();
    assert.equal(app.stopping, true);
    assert.equal(app.draining, false);
    const health = await request(port, 'GET', '/healthz', { connection: 'keep-alive' });
    assert.equal(health.status, 503);
    assert.equal(health.body, 'stopping');
    assert.equal(health.headers.connection, 'keep-alive');
    const hello = await request(port, 'GET', '/', { connection: 'keep-alive' });
    assert.equal(hello.status, 200);
    assert.equal(hello.headers.connection, 'keep-alive');
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
    assert.deepEqual(readConfig({}), {
      port: 8080,
      shutdownTimeoutMs: 25_000,
      drainDelayMs: 10_000,
      drainIdleMs: 5_000,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 10_000,
      commitId: 'unknown',
      imageTag: 'unknown',
    });
  });

  test('the default stop serves through the Cloud Map TTL and ends, whatever the clients do, before ECS sends SIGKILL', () => {
    const config = readConfig({});
    const cloudMapTtlMs = 10_000; // the platform's Cloud Map dnsTtl
    const ecsStopTimeoutMs = 30_000; // the platform's container stopTimeout
    assert.ok(config.drainDelayMs >= cloudMapTtlMs, 'clients that DNS still sends here would be refused');
    // The worst case once the drain begins: an idle connection kept for the
    // idle grace, or a request begun just before that takes its time until a
    // limit ends it (Node checks the limits once per interval).
    const slowest = Math.max(config.drainIdleMs, config.requestTimeoutMs + DEFAULT_LIMITS.connectionsCheckingIntervalMs);
    assert.ok(config.drainDelayMs + slowest < config.shutdownTimeoutMs, 'a slow client could turn a clean stop into a timeout');
    assert.ok(config.shutdownTimeoutMs <= ecsStopTimeoutMs - 5_000, 'too close to SIGKILL to exit on its own');
  });

  test('reads every setting', () => {
    const config = readConfig({
      PORT: '3000',
      SHUTDOWN_TIMEOUT_MS: '5000',
      DRAIN_DELAY_MS: '0',
      DRAIN_IDLE_MS: '2000',
      HEADERS_TIMEOUT_MS: '1000',
      REQUEST_TIMEOUT_MS: '1500',
      APP_COMMIT_ID: 'abc1234',
      APP_IMAGE_TAG: 'abc1234',
    });
    assert.deepEqual(config, {
      port: 3000,
      shutdownTimeoutMs: 5000,
      drainDelayMs: 0,
      drainIdleMs: 2000,
      headersTimeoutMs: 1000,
      requestTimeoutMs: 1500,
      commitId: 'abc1234',
      imageTag: 'abc1234',
    });
  });

  test('rejects malformed numbers instead of guessing', () => {
    for (const PORT of ['eighty', '-1', '70000', '80.5']) assert.throws(() => readConfig({ PORT }), /PORT/);
    for (const name of ['SHUTDOWN_TIMEOUT_MS', 'DRAIN_DELAY_MS', 'DRAIN_IDLE_MS', 'HEADERS_TIMEOUT_MS', 'REQUEST_TIMEOUT_MS']) {
      for (const value of ['-1', 'soon', '1.5']) assert.throws(() => readConfig({ [name]: value }), new RegExp(name));
    }
    // Zero means no delay; for the others it would mean no limit at all.
    for (const name of ['SHUTDOWN_TIMEOUT_MS', 'DRAIN_IDLE_MS', 'HEADERS_TIMEOUT_MS', 'REQUEST_TIMEOUT_MS']) {
      assert.throws(() => readConfig({ [name]: '0' }), new RegExp(name));
    }
  });

  test('rejects a header limit above the request limit, which Node would refuse', () => {
    assert.throws(() => readConfig({ HEADERS_TIMEOUT_MS: '20000' }), /HEADERS_TIMEOUT_MS \(20000\) must not be above REQUEST_TIMEOUT_MS \(10000\)/);
  });

  test('keeps header-breaking characters out of the image tag', () => {
    assert.equal(readConfig({ APP_IMAGE_TAG: 'v1\r\nx-evil: 1' }).imageTag, 'v1x-evil:1');
    assert.equal(readConfig({ APP_IMAGE_TAG: ' \n' }).imageTag, 'unknown');
  });
});
