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
