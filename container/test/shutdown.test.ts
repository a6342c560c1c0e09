import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { holdRequest, parseLines, peakRssMiB, request, startApp, tryConnect, type RunningApp } from './helpers';

// Most tests here start the drain at SIGTERM (DRAIN_DELAY_MS=0) so a stop
// takes milliseconds; the first test looks at the delay itself.
const NO_DELAY = { DRAIN_DELAY_MS: '0' };

test('SIGTERM: the app serves on through the delay with /healthz failing, then drains: in-flight requests finish, new connections are refused; exit 0', async (t) => {
  // The delay only needs to outlast one request here; a generous one keeps a
  // busy machine from turning this into a race.
  const app = await startApp({ DRAIN_DELAY_MS: '1000', DRAIN_IDLE_MS: '5000' });
  t.after(() => app.kill());
  // Each held request has its headers half sent, so the server has begun it
  // but cannot answer yet: an honest in-flight request, with no slow route
  // added to the app for the sake of the test.
  const greeting = await holdRequest(app.port, '/');
  const health = await holdRequest(app.port, '/healthz');
  // Keeps the app alive into the drain, so that the refusal there is the
  // app's doing and not its exit.
  const idle = await idleConnection(app.port);
  t.after(() => idle.socket.destroy());

  app.child.kill('SIGTERM');
  await app.waitForLog((l) => l.msg === 'stopping');
  // Within Cloud Map's TTL a client may still be sent here: it gets served as before.
  const late = await request(app.port, 'GET', '/healthz', { connection: 'keep-alive' });
  assert.equal(late.status, 503);
  assert.notEqual(late.headers.connection, 'close');

  await app.waitForLog((l) => l.msg === 'draining');
  assert.equal(await tryConnect(app.port), 'ECONNREFUSED');
  assert.equal(app.child.exitCode, null, 'exited with requests still in flight');
  const healthReply = await health.finish();
  assert.match(healthReply, /^HTTP\/1\.1 503 /);
  assert.match(healthReply, /\r\nconnection: close\r\n/i);
  const greetingReply = await greeting.finish();
  assert.match(greetingReply, /^HTTP\/1\.1 200 OK\r\n/);
  assert.ok(greetingReply.endsWith('\r\n\r\nHello CodePipeline.'));
  assert.equal(app.child.exitCode, null, 'the idle connection should still be open');
  idle.socket.end();

  assert.deepEqual(await app.exited, { code: 0, signal: null });
  const lines = parseLines(app.rawLines);
  assert.ok(lines.some((l) => l.msg === 'request' && l.path === '/healthz' && l.status === 503));
  assert.ok(lines.some((l) => l.msg === 'stopping' && l.signal === 'SIGTERM' && l.connections === 3));
  assert.equal(lines.at(-1)?.msg, 'shutdown complete');
});

/** A raw keep-alive connection that has had one response and now sits idle. */
async function idleConnection(port: number): Promise<{ socket: net.Socket; received: () => string; ended: Promise<'end' | 'reset'> }> {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (received += chunk));
  const ended = new Promise<'end' | 'reset'>((resolve) => {
    socket.on('end', () => resolve('end'));
    socket.on('error', () => resolve('reset'));
  });
  socket.write('GET / HTTP/1.1\r\nHost: test\r\n\r\n');
  while (!received.endsWith('Hello CodePipeline.')) await sleep(5);
  received = '';
  return { socket, received: () => received, ended };
}

test('an idle keep-alive connection can still carry a request during the drain, and is closed by the app only after the idle grace', async (t) => {
  const app = await startApp({ ...NO_DELAY, DRAIN_IDLE_MS: '400' });
  t.after(() => app.kill());
  const used = await idleConnection(app.port);
  const unused = await idleConnection(app.port);
  t.after(() => [used, unused].forEach((c) => c.socket.destroy()));

  app.child.kill('SIGTERM');
  await app.waitForLog((l) => l.msg === 'draining');
  // Old behaviour: both sockets destroyed here, and this request reset.
  used.socket.write('GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n');
  assert.equal(await used.ended, 'end');
  assert.match(used.received(), /^HTTP\/1\.1 503 [\s\S]*\r\nconnection: close\r\n/i);

  // Nothing is sent on the other: the app closes it cleanly once it has been idle for the grace.
  assert.equal(await unused.ended, 'end');
  assert.equal(unused.received(), '');
  assert.deepEqual(await app.exited, { code: 0, signal: null });
});

interface DrainOutcome {
  readonly exit: { code: number | null; signal: NodeJS.Signals | null };
  readonly answered: number;
  readonly closing: number;
  readonly failedMidFlight: string[];
}

/**
 * `clients` keep-alive clients each send GET / and, once answered, the next
 * one after `gapMs`; SIGTERM arrives while they do, once every client has had
 * an answer (so every connection is an existing one) and `loadMs` more have
 * passed. A client ends when the app tells it to with `connection: close`, as
 * one would that then looks the service up again; a reset or hang-up on a
 * request means the request was lost on the way.
 */
async function stopUnderKeepAliveLoad(app: RunningApp, clients: number, gapMs: number, loadMs: number): Promise<DrainOutcome> {
  let answered = 0;
  let closing = 0;
  const served = new Set<number>();
  const failedMidFlight: string[] = [];
  const client = async (id: number): Promise<void> => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (;;) {
        const outcome = await new Promise<NodeJS.ErrnoException | 'close' | 'open'>((resolve) => {
          const req = http.get({ host: '127.0.0.1', port: app.port, path: '/', agent, timeout: 5_000 }, (res) => {
            res.resume();
            res.on('end', () => {
              answered++;
              served.add(id);
              resolve(res.headers.connection === 'close' ? 'close' : 'open');
            });
          });
          req.on('timeout', () => req.destroy(Object.assign(new Error('no answer within 5 s'), { code: 'TIMEOUT' })));
          req.on('error', resolve);
        });
        if (outcome === 'close') {
          closing++;
          return;
        }
        if (outcome !== 'open') {
          // Refused: nothing was sent (the old app did that to every client
          // after closing its socket; the closing count below catches it).
          if (outcome.code !== 'ECONNREFUSED') failedMidFlight.push(outcome.code ?? outcome.message);
          return;
        }
        if (gapMs > 0) await sleep(gapMs);
      }
    } finally {
      agent.destroy();
    }
  };
  const running = Array.from({ length: clients }, (_, id) => client(id));
  for (let waited = 0; served.size < clients && failedMidFlight.length === 0 && waited < 5_000; waited += 10) await sleep(10);
  await sleep(loadMs);
  app.child.kill('SIGTERM');
  const exit = await app.exited;
  await Promise.all(running);
  return { exit, answered, closing, failedMidFlight };
}

test('keep-alive clients busy at SIGTERM: no request fails mid-flight, over repeated stops', async (t) => {
  // The scenario ECS creates on every deploy, shortened: 50 clients, each
  // with a request every few milliseconds, several stops. Before the drain
  // kept idle connections, each stop reset some of them.
  for (let stop = 1; stop <= 3; stop++) {
    const app = await startApp({ DRAIN_DELAY_MS: '100' });
    t.after(() => app.kill());
    const outcome = await stopUnderKeepAliveLoad(app, 50, 2, 150);
    assert.deepEqual(outcome.failedMidFlight, [], `stop ${stop}: requests failed mid-flight`);
    assert.deepEqual(outcome.exit, { code: 0, signal: null }, `stop ${stop}`);
    // Every client learnt of the stop from a response, not from a closed socket.
    assert.equal(outcome.closing, 50, `stop ${stop}: ${outcome.closing} of 50 clients got connection: close`);
  }
});

test('clients slow with their headers or body at SIGTERM get 408 within the limits, and the app exits 0', async (t) => {
  // Short limits so the test is quick; SHUTDOWN_TIMEOUT_MS is far above them,
  // so exit code 0 means the limits, not the deadline, ended these clients.
  const app = await startApp({ ...NO_DELAY, HEADERS_TIMEOUT_MS: '300', REQUEST_TIMEOUT_MS: '600', SHUTDOWN_TIMEOUT_MS: '8000' });
  t.after(() => app.kill());
  const headers = await holdRequest(app.port, '/');
  const body = net.connect(app.port, '127.0.0.1');
  t.after(() => [headers.socket, body].forEach((s) => s.destroy()));
  let bodyReply = '';
  body.setEncoding('latin1');
  body.on('data', (chunk: string) => (bodyReply += chunk));
  const bodyClosed = new Promise((resolve) => body.on('close', resolve));
  body.on('error', () => undefined);
  body.write('POST / HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');

  await sleep(50);
  app.child.kill('SIGTERM');
  assert.deepEqual(await app.exited, { code: 0, signal: null });
  assert.match(await headers.finish(), /^HTTP\/1\.1 408 /);
  await bodyClosed;
  assert.match(bodyReply, /^HTTP\/1\.1 408 /);
  const lines = parseLines(app.rawLines);
  assert.equal(lines.filter((l) => l.msg === 'client error' && l.status === 408).length, 2);
  assert.equal(lines.at(-1)?.msg, 'shutdown complete');
});

test('a request that never finishes cannot delay the exit past SHUTDOWN_TIMEOUT_MS', async (t) => {
  // Limits above the deadline: here only the deadline can end the stop.
  const app = await startApp({ ...NO_DELAY, SHUTDOWN_TIMEOUT_MS: '300' });
  t.after(() => app.kill());
  const stuck = await holdRequest(app.port, '/');
  t.after(() => stuck.socket.destroy());
  app.child.kill('SIGTERM');
  assert.deepEqual(await app.exited, { code: 1, signal: null });
  assert.ok(parseLines(app.rawLines).some((l) => l.msg === 'shutdown timed out, exiting with requests still open' && l.connections === 1));
});

/**
 * Writes `count` pipelined requests on one connection and resolves with the
 * number of responses once the server has answered them all.
 */
function pipelined(port: number, count: number, target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const marker = '\r\n\r\nNot Found';
    let carry = '';
    let answered = 0;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      const text = carry + chunk;
      for (let at = text.indexOf(marker); at !== -1; at = text.indexOf(marker, at + marker.length)) answered++;
      carry = text.slice(-(marker.length - 1));
      if (answered === count) {
        socket.destroy();
        resolve(answered);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => (answered === count ? undefined : reject(new Error(`${answered} of ${count} answered`))));
    socket.write(`GET ${target} HTTP/1.1\r\nHost: test\r\n\r\n`.repeat(count));
  });
}

test('a stalled log reader: memory stays bounded, request lines are dropped and counted, and lifecycle lines still arrive', async (t) => {
  const app = await startApp(NO_DELAY);
  t.after(() => app.kill());
  const before = peakRssMiB(app.child.pid!);
  app.stallOutput();
  // Long paths make long lines, so the queue fills in few requests: about 14 MB
  // of log text against a bound of 4 MiB. Before the bound, RSS grew by about
  // 10 bytes for each byte of it.
  const target = `/${'x'.repeat(250)}`;
  const perConnection = 6_000;
  const connections = 6;
  const answered = (await Promise.all(Array.from({ length: connections }, () => pipelined(app.port, perConnection, target)))).reduce((a, b) => a + b);
  const grewMiB = peakRssMiB(app.child.pid!) - before;
  assert.equal(answered, perConnection * connections);
  assert.ok(grewMiB < 64, `RSS grew by ${grewMiB.toFixed(0)} MiB while the log reader stalled`);

  app.child.kill('SIGTERM');
  // The stop waits for the reader, within its deadline, instead of exiting
  // over the lines still queued.
  await sleep(300);
  assert.equal(app.child.exitCode, null, 'exited with log lines still queued');
  app.resumeOutput();
  assert.deepEqual(await app.exited, { code: 0, signal: null });

  const lines = parseLines(app.rawLines); // throws on a line cut short
  const logged = lines.filter((l) => l.msg === 'request').length;
  const dropped = lines.filter((l) => l.msg === 'log lines dropped').reduce((sum, l) => sum + (l.dropped as number), 0);
  assert.ok(dropped > 0, 'nothing was dropped: the test did not fill the queue');
  assert.equal(logged + dropped, answered, 'every request is either logged or counted as dropped');
  assert.ok(lines.some((l) => l.msg === 'draining'));
  assert.equal(lines.at(-1)?.msg, 'shutdown complete');
});

test('SIGINT drains the same way', async (t) => {
  const app = await startApp(NO_DELAY);
  t.after(() => app.kill());
  app.child.kill('SIGINT');
  assert.deepEqual(await app.exited, { code: 0, signal: null });
  assert.ok(parseLines(app.rawLines).some((l) => l.msg === 'stopping' && l.signal === 'SIGINT'));
});

test('a second signal ends the drain at once, with exit code 1', async (t) => {
  const app = await startApp(); // the default 10 s delay
  t.after(() => app.kill());
  app.child.kill('SIGINT');
  await app.waitForLog((l) => l.msg === 'stopping');
  app.child.kill('SIGINT');
  assert.deepEqual(await app.exited, { code: 1, signal: null });
  assert.equal(parseLines(app.rawLines).at(-1)?.msg, 'second signal, exiting without draining');
});

test('a malformed setting stops the app with exit code 1 and a JSON reason', async () => {
  await assert.rejects(startApp({ PORT: 'eighty' }), /exited with code 1;[\s\S]*"msg":"invalid configuration"/);
});
