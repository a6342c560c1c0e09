import * as assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../src/log';

function collector(): { out: Writable; writes: string[] } {
  const writes: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk.toString('utf8'));
      done();
    },
  });
  return { out, writes };
}

test('lines are batched into one write, each a JSON object with the time first', () => {
  const { out, writes } = collector();
  const logger = createLogger(out, 60_000);
  logger.log({ msg: 'one', status: 200 });
  logger.log({ msg: 'two "quoted"\n', ok: true });
  logger.log({});
  assert.equal(writes.length, 0);
  logger.flush();
  assert.equal(writes.length, 1);
  const lines = writes[0]!.split('\n');
  assert.equal(lines.pop(), '');
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    parsed.map(({ time, ...rest }) => rest),
    [{ msg: 'one', status: 200 }, { msg: 'two "quoted"\n', ok: true }, {}],
  );
  for (const line of parsed) assert.ok(!Number.isNaN(Date.parse(String(line.time))));
  assert.ok(lines.every((l) => l.startsWith('{"time":')));
});

test('request lines are the same JSON as log() would write, whatever the path holds', () => {
  const { out, writes } = collector();
  const logger = createLogger(out, 60_000);
  const path = '/a"b\\c\u0001é';
  logger.request('GET', path, 404, 0.125);
  logger.log({ level: 'info', msg: 'request', method: 'GET', path, status: 404, durationMs: 0.125 });
  logger.flush();
  const [fast, generic] = writes.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(Object.keys(fast!), Object.keys(generic!));
  assert.deepEqual({ ...fast, time: '' }, { ...generic, time: '' });
  assert.equal(fast!.path, path);
  assert.match(String(fast!.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.ok(Math.abs(Date.parse(String(fast!.time)) - Date.now()) < 60_000);
});

test('a full buffer is written without waiting for the timer, and no line is split or lost', () => {
  const { out, writes } = collector();
  const logger = createLogger(out, 60_000, 1000);
  for (let i = 0; i < 30; i++) logger.log({ msg: 'x'.repeat(40), i });
  assert.ok(writes.length >= 2);
  logger.log({ msg: 'y'.repeat(2000) }); // longer than the whole buffer
  logger.flush();
  const lines = writes.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(lines.slice(0, 30).map((l) => l.i), Array.from({ length: 30 }, (_, i) => i));
  assert.equal(lines[30]!.msg, 'y'.repeat(2000));
  assert.equal(lines.length, 31);
});

test('flushing with nothing buffered writes nothing', () => {
  const { out, writes } = collector();
  createLogger(out).flush();
  assert.equal(writes.length, 0);
});

/** A stream whose reader has stalled: it takes writes and completes none until released. */
function stalled(): { out: Writable; release: () => void; text: () => string } {
  const waiting: Array<() => void> = [];
  let text = '';
  let open = false;
  const out = new Writable({
    // A small mark, as on a pipe: Node queues the rest in memory.
    highWaterMark: 1024,
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      if (open) done();
      else waiting.push(done);
    },
  });
  return {
    out,
    release: () => {
      open = true;
      for (const done of waiting.splice(0)) done();
    },
    text: () => text,
  };
}

test('a stalled output: the queue stays bounded, request lines are dropped and counted, other lines never', async () => {
  const { out, release, text } = stalled();
  const maxQueued = 64 * 1024;
  const logger = createLogger(out, 60_000, 4 * 1024, maxQueued);
  logger.log({ level: 'info', msg: 'listening' });
  let mostQueued = 0;
  for (let i = 0; i < 20_000; i++) {
    logger.request('GET', '/', 200, 0.1);
    if (i % 1000 === 0) logger.clientError('HPE_INVALID_METHOD', 400);
    mostQueued = Math.max(mostQueued, out.writableLength);
  }
  logger.log({ level: 'info', msg: 'draining' });
  // Within one batch of the bound; without it this reached the whole 2.5 MB.
  assert.ok(mostQueued <= maxQueued + 4 * 1024, `queued ${mostQueued} bytes`);

  const drained = logger.drain(5_000);
  release();
  assert.equal(await drained, true);
  const lines = text().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const requests = lines.filter((l) => l.msg === 'request').length + lines.filter((l) => l.msg === 'client error').length;
  const dropped = lines.filter((l) => l.msg === 'log lines dropped').reduce((sum, l) => sum + (l.dropped as number), 0);
  assert.ok(dropped > 0);
  assert.equal(requests + dropped, 20_000 + 20, 'every request line is either written or counted');
  assert.equal(lines[0]!.msg, 'listening');
  // The count comes before the lifecycle line that follows the drops.
  assert.deepEqual(lines.slice(-2).map((l) => l.msg), ['log lines dropped', 'draining']);
});

test('drops are reported once the reader has caught up, without waiting for shutdown', async () => {
  const { out, release, text } = stalled();
  const logger = createLogger(out, 60_000, 1024, 8 * 1024);
  for (let i = 0; i < 1_000; i++) logger.request('GET', '/', 200, 0.1);
  logger.flush();
  release();
  await new Promise((resolve) => setImmediate(resolve));
  logger.flush();
  assert.ok(text().includes('"msg":"log lines dropped"'));
});

test('drain() gives up at its deadline when the reader never catches up', async () => {
  const { out } = stalled();
  const logger = createLogger(out, 60_000);
  logger.log({ msg: 'shutdown complete' });
  assert.equal(await logger.drain(50), false);
});

test('drain() with nothing queued resolves at once', async () => {
  const { out, writes } = collector();
  const logger = createLogger(out, 60_000);
  assert.equal(await logger.drain(60_000), true);
  logger.log({ msg: 'x' });
  assert.equal(await logger.drain(60_000), true);
  assert.equal(writes.length, 1);
});
