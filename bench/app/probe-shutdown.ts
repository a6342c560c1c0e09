/**
 * Shutdown probe: what an ECS stop does to the app in container/, on loopback.
 * Three scenarios, each against a built main.js (by default this repository's
 * container/dist/src/main.js; pass another path to probe an older build),
 * with the app's default settings:
 *
 *   drain  keep-alive clients, each sending GET / on a timer; SIGTERM mid-load.
 *          A client goes on until a request fails: refused means nothing was
 *          sent (the app had stopped listening); a reset or hang-up means a
 *          request was lost on the way, which is what must not happen.
 *   slow   one client stops half-way through its headers; SIGTERM. Reports
 *          what that client received, the exit code and the time to exit.
 *   stall  nobody reads stdout while autocannon drives the app; RSS sampled;
 *          SIGTERM during the stall; the reader resumes a second later.
 *          Reports the lines that arrived and whether the lifecycle lines and
 *          a whole last line are among them. The same load with the reader
 *          reading runs first, as the control for RSS.
 *
 *   npx tsx bench/app/probe-shutdown.ts [drain|slow|stall|all] [path/to/main.js]
 *
 * Settings come from the environment: PROBE_STOPS (5), PROBE_CLIENTS (50),
 * PROBE_INTERVAL_MS (10), PROBE_LOAD_MS (5000). It takes about two minutes
 * with the current app, whose stop lasts at least its 10 s drain delay. Not
 * part of the tests; the figures are recorded in bench/README.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
// eslint-disable-next-line import/no-extraneous-dependencies
import autocannon from 'autocannon';

const REPO = path.resolve(__dirname, '..', '..');
const scenario = process.argv[2] ?? 'all';
const MAIN = path.resolve(process.argv[3] ?? path.join(REPO, 'container', 'dist', 'src', 'main.js'));
const setting = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const STOPS = setting('PROBE_STOPS', 5);
const CLIENTS = setting('PROBE_CLIENTS', 50);
const INTERVAL_MS = setting('PROBE_INTERVAL_MS', 10);
const LOAD_MS = setting('PROBE_LOAD_MS', 5_000);
// A stop that has not ended by then is killed; ECS would send SIGKILL at 30 s.
const KILL_AFTER_MS = 30_000;

interface App {
  readonly child: ChildProcess;
  readonly port: number;
  readonly exited: Promise<{ code: number | null; signal: string | null; at: number }>;
}

/** Starts the app with stdout on a pipe; `onStdout` sees every chunk once it is listening. */
async function startApp(onStdout?: (chunk: Buffer) => void): Promise<App> {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<{ code: number | null; signal: string | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  const killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS * 3);
  void exited.then(() => clearTimeout(killer));
  let seen = '';
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('utf8');
      const match = /"msg":"listening","port":(\d+)/.exec(seen);
      if (match) {
        child.stdout!.off('data', onData);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', () => reject(new Error(`app exited before listening: ${seen}`)));
  });
  if (onStdout) child.stdout!.on('data', onStdout);
  else child.stdout!.resume();
  return { child, port, exited };
}

function errorKind(err: NodeJS.ErrnoException): 'refused' | 'midFlight' {
  return err.code === 'ECONNREFUSED' ? 'refused' : 'midFlight';
}

async function drainOnce(): Promise<{ ok: number; closing: number; midFlight: number; refused: number; code: number | null; exitMs: number; errors: string[] }> {
  const app = await startApp();
  const stats = { ok: 0, closing: 0, midFlight: 0, refused: 0, errors: [] as string[] };
  let done = false;
  void app.exited.then(() => sleep(200)).then(() => (done = true));
  const client = async (): Promise<void> => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    while (!done) {
      const failure = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
        const req = http.get({ host: '127.0.0.1', port: app.port, path: '/', agent }, (res) => {
          res.resume();
          res.on('end', () => {
            stats.ok++;
            if (res.headers.connection === 'close') stats.closing++;
            resolve(undefined);
          });
          res.on('error', resolve);
        });
        req.on('error', resolve);
      });
      if (failure) {
        stats[errorKind(failure)]++;
        if (errorKind(failure) === 'midFlight') stats.errors.push(failure.code ?? failure.message);
        break;
      }
      await sleep(INTERVAL_MS);
    }
    agent.destroy();
  };
  const clients = Array.from({ length: CLIENTS }, client);
  await sleep(LOAD_MS);
  const signalled = performance.now();
  app.child.kill('SIGTERM');
  const exit = await app.exited;
  await Promise.all(clients);
  return { ...stats, code: exit.code, exitMs: exit.at - signalled };
}

async function drain(): Promise<void> {
  console.log(`drain: ${CLIENTS} keep-alive clients, GET / every ${INTERVAL_MS} ms, SIGTERM after ${LOAD_MS} ms, ${STOPS} stops, ${MAIN}`);
  let total = 0;
  for (let i = 1; i <= STOPS; i++) {
    const r = await drainOnce();
    total += r.midFlight;
    console.log(
      `  stop ${i}: ${r.ok} responses (${r.closing} with connection: close), failed mid-flight ${r.midFlight}` +
        `${r.errors.length ? ` [${[...new Set(r.errors)].join(', ')}]` : ''}, refused ${r.refused}, exit ${r.code} after ${r.exitMs.toFixed(0)} ms`,
    );
  }
  console.log(`  failed mid-flight in ${STOPS} stops: ${total}`);
}

async function slow(): Promise<void> {
  console.log(`slow: one client half-way through its headers at SIGTERM, ${MAIN}`);
  const app = await startApp();
  const socket = net.connect(app.port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let received = '';
  let closedAt = NaN;
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  socket.on('close', () => (closedAt = performance.now()));
  const began = performance.now();
  socket.write('GET / HTTP/1.1\r\nHost: probe\r\n');
  await sleep(200);
  const signalled = performance.now();
  app.child.kill('SIGTERM');
  const exit = await app.exited;
  await sleep(50);
  socket.destroy();
  const status = /^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 'nothing';
  console.log(
    `  client got ${status}, closed ${(closedAt - began).toFixed(0)} ms after its first byte; ` +
      `app exit ${exit.code}${exit.signal ? ` (${exit.signal})` : ''} ${(exit.at - signalled).toFixed(0)} ms after SIGTERM`,
  );
}

function rssMiB(pid: number): number {
  try {
    return Number(/^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
  } catch {
    return NaN;
  }
}

async function stall(stalled: boolean): Promise<void> {
  console.log(
    `stall (${stalled ? 'reader stalled' : 'control: reader reading'}): autocannon, 100 connections, 10 pipelined, ${LOAD_MS} ms; ` +
      `SIGTERM${stalled ? ', the reader resumes 1 s later' : ''}; ${MAIN}`,
  );
  const chunks: Buffer[] = [];
  const app = await startApp((chunk) => chunks.push(chunk));
  // A paused stream stops reading the pipe once its own small buffer is full,
  // so the pipe fills and every later write waits in the app.
  if (stalled) app.child.stdout!.pause();
  const rss: number[] = [rssMiB(app.child.pid!)];
  const sampler = setInterval(() => rss.push(rssMiB(app.child.pid!)), 250);
  const result = await new Promise<autocannon.Result>((resolve, reject) =>
    autocannon(
      { url: `http://127.0.0.1:${app.port}/`, connections: 100, pipelining: 10, duration: LOAD_MS / 1000 },
      (err: unknown, r: autocannon.Result) => (err ? reject(err) : resolve(r)),
    ),
  );
  clearInterval(sampler);
  const signalled = performance.now();
  app.child.kill('SIGTERM');
  if (stalled) {
    await sleep(1_000);
    app.child.stdout!.resume();
  }
  const exit = await app.exited;
  await new Promise((resolve) => (app.child.stdout!.readableEnded ? resolve(undefined) : app.child.stdout!.once('end', resolve)));
  const text = Buffer.concat(chunks).toString('utf8');
  const lines = text.split('\n');
  const tail = lines.pop();
  const parsed = lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
  const requests = parsed.filter((l) => l.msg === 'request').length;
  const dropped = parsed.filter((l) => typeof l.dropped === 'number').reduce((sum, l) => sum + (l.dropped as number), 0);
  console.log(
    `  ${result.requests.total} responses (${Math.round(result.requests.total / (LOAD_MS / 1000))} req/s); ` +
      `RSS ${rss[0]!.toFixed(0)} MiB at start, peak ${Math.max(...rss.filter(Number.isFinite)).toFixed(0)} MiB`,
  );
  // autocannon stops counting at the end of its duration, and the requests it
  // still had on the wire are answered and logged after that.
  console.log(
    `  ${lines.length} lines arrived: ${requests} request lines + ${dropped} reported dropped = ${requests + dropped}; ` +
      `draining ${parsed.some((l) => l.msg === 'draining') ? 'yes' : 'NO'}, ` +
      `shutdown complete ${parsed.some((l) => l.msg === 'shutdown complete') ? 'yes' : 'NO'}, ` +
      `last line ${tail === '' ? 'whole' : `cut (${JSON.stringify(tail!.slice(0, 40))}...)`}`,
  );
  console.log(`  app exit ${exit.code}${exit.signal ? ` (${exit.signal})` : ''} ${(exit.at - signalled).toFixed(0)} ms after SIGTERM`);
}

async function main(): Promise<void> {
  console.log(`node ${process.version}`);
  if (scenario === 'drain' || scenario === 'all') await drain();
  if (scenario === 'slow' || scenario === 'all') await slow();
  if (scenario === 'stall' || scenario === 'all') {
    await stall(false);
    await stall(true);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
