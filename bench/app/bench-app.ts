/**
 * App benchmark: the Fargate app (container/) against the tutorial's Bottle
 * server and a bare node:http server, all on loopback. Run from the repo root
 * with `npx projen bench:app`. Not part of the tests: the numbers depend on the
 * machine, so they are recorded in bench/README.md instead of asserted.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
// A benchmark is a development tool, so autocannon is rightly a devDependency.
// eslint-disable-next-line import/no-extraneous-dependencies
import autocannon from 'autocannon';

const REPO = path.resolve(__dirname, '..', '..');
const CONTAINER = path.join(REPO, 'container');
const APP_MAIN = path.join(CONTAINER, 'dist', 'src', 'main.js');
const BODY = 'Hello CodePipeline.';

const CONNECTIONS = [1, 10, 100] as const;
const WARMUP_SECONDS = 1;
const RUNS = 5;
const RUN_SECONDS = 4;
const SETTLE_MS = 500;
const START_TRIALS = 5;
const START_PATIENCE_MS = 10_000;

// Debian's python3-bottle lands in /usr/lib/python3/dist-packages, which only
// Debian's own interpreter searches; a python3 earlier on PATH (pyenv, venv)
// would not find it.
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

// With two or more CPUs, the server under test (and its log reader) get the
// last CPU and this process, the load generator, the others. Left to the
// scheduler, a server sometimes shared a CPU with the load generator and its
// numbers halved from one run to the next; a Fargate task also runs its app
// on CPUs of its own.
const CPUS = os.cpus().length;
const PIN = CPUS >= 2 && spawnSync('taskset', ['-V']).status === 0;
const SERVER_CPU = String(CPUS - 1);

interface Subject {
  readonly name: string;
  /** False for a server that closes the connection after every response. */
  readonly keepAlive: boolean;
  readonly command: string;
  args(port: number): string[];
  env(port: number): NodeJS.ProcessEnv;
}

interface Run {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly failures: number;
  readonly responses: number;
}

interface Row {
  readonly subject: string;
  readonly connections: number;
  readonly rps: number;
  /** Slowest and fastest run: how much the machine's other work moved the numbers. */
  readonly rpsRange: readonly [number, number];
  readonly p50: number;
  readonly p99: number;
  readonly failures: number;
  /** Server CPU time (its log reader's included) per response, in microseconds. */
  readonly cpuUs: number;
}

interface Running {
  readonly port: number;
  readonly child: ChildProcess;
  readonly sink: ChildProcess;
}

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping the servers`);
    process.exit(130);
  });
}

function sh(command: string, args: string[], cwd = REPO): boolean {
  const result = spawnSync(command, args, {
    cwd,
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

function ensureBottle(): string {
  const probe = (): string | undefined => {
    const r = spawnSync(PYTHON, ['-c', 'import bottle; print(bottle.__version__)'], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : undefined;
  };
  let version = probe();
  if (version === undefined) {
    console.log('Bottle is missing: installing python3-bottle from Debian');
    // The package lists may be empty in a fresh container; update only when the
    // first attempt shows they are needed.
    if (!sh('apt-get', ['install', '-y', '--no-install-recommends', 'python3-bottle'])) {
      if (!sh('apt-get', ['update']) || !sh('apt-get', ['install', '-y', '--no-install-recommends', 'python3-bottle'])) {
        throw new Error('could not install python3-bottle (apt-get needs root and the Debian mirrors)');
      }
    }
    version = probe();
    if (version === undefined) throw new Error(`${PYTHON} still cannot import bottle`);
  }
  return version;
}

function ensureAppBuilt(): void {
  const newestSource = fs
    .readdirSync(path.join(CONTAINER, 'src'))
    .map((f) => fs.statSync(path.join(CONTAINER, 'src', f)).mtimeMs)
    .reduce((a, b) => Math.max(a, b), 0);
  if (fs.existsSync(APP_MAIN) && fs.statSync(APP_MAIN).mtimeMs >= newestSource) return;
  console.log('container/dist is missing or older than container/src: building it');
  if (!fs.existsSync(path.join(CONTAINER, 'node_modules')) && !sh('npm', ['ci', '--no-audit', '--no-fund'], CONTAINER)) {
    throw new Error('npm ci failed in container/');
  }
  if (!sh('npm', ['run', 'build'], CONTAINER)) throw new Error('npm run build failed in container/');
}

function writeScratchServers(dir: string): { bottle: string; bare: string } {
  const bottle = path.join(dir, 'bottle_app.py');
  // The tutorial's app: one route, Bottle's default (wsgiref) server and its
  // default per-request access log on stderr.
  fs.writeFileSync(
    bottle,
    [
      'import sys',
      'from bottle import route, run',
      '',
      "@route('/')",
      'def hello():',
      `    return '${BODY}'`,
      '',
      "run(host='127.0.0.1', port=int(sys.argv[1]))",
      '',
    ].join('\n'),
  );
  const bare = path.join(dir, 'bare.js');
  // The ceiling: the least a node:http server can do to send the same response.
  fs.writeFileSync(
    bare,
    [
      "const body = Buffer.from('" + BODY + "');",
      "require('node:http').createServer((req, res) => {",
      "  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length });",
      '  res.end(body);',
      "}).listen(Number(process.argv[2]), '127.0.0.1');",
      '',
    ].join('\n'),
  );
  return { bottle, bare };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function launch(subject: Subject, port: number): { child: ChildProcess; sink: ChildProcess } {
  // Logs go through a pipe to a separate reader, as they do to a log driver.
  // Reading them here instead would put that work in the load generator's own
  // event loop, and a full pipe would stall the server on its next log line.
  const onServerCpu = (command: string, args: string[]): [string, string[]] =>
    // taskset execs the command, so the child's pid is the server's own.
    PIN ? ['taskset', ['-c', SERVER_CPU, command, ...args]] : [command, args];
  const sink = spawn(...onServerCpu('cat', []), { stdio: ['pipe', 'ignore', 'ignore'] });
  const child = spawn(...onServerCpu(subject.command, subject.args(port)), {
    env: subject.env(port),
    stdio: ['ignore', sink.stdin!, sink.stdin!],
  });
  // Only the server may hold the pipe's write end, so the reader ends with it.
  sink.stdin!.destroy();
  for (const proc of [child, sink]) {
    children.add(proc);
    proc.on('exit', () => children.delete(proc));
  }
  return { child, sink };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

function get200(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 1_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Milliseconds from spawn() to the first 200 on GET /, polling every 2 ms. */
async function startToFirst200(subject: Subject): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const { child } = launch(subject, port);
  try {
    while (performance.now() - started < START_PATIENCE_MS) {
      if (await get200(port)) return performance.now() - started;
      if (child.exitCode !== null) throw new Error(`${subject.name} exited with ${child.exitCode} before answering`);
      await sleep(2);
    }
    throw new Error(`${subject.name} did not answer 200 within ${START_PATIENCE_MS} ms`);
  } finally {
    await stop(child);
  }
}

async function waitUntilServing(subject: Subject, port: number): Promise<void> {
  const started = performance.now();
  while (performance.now() - started < START_PATIENCE_MS) {
    if (await get200(port)) return;
    await sleep(20);
  }
  throw new Error(`${subject.name} did not start`);
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * One autocannon run. Latencies are collected from the per-response event
 * rather than autocannon's own histogram, which records whole milliseconds and
 * would show most of these responses as 0 or 1 ms.
 */
function loadKeepAlive(port: number, connections: number, seconds: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const instance = autocannon(
      { url: `http://127.0.0.1:${port}/`, connections, duration: seconds },
      (err: unknown, result: autocannon.Result) => {
        if (err) return reject(err);
        const sorted = Float64Array.from(latencies).sort();
        resolve({
          rps: result.requests.total / seconds,
          p50: percentile(sorted, 50),
          p99: percentile(sorted, 99),
          failures: result.errors + result.timeouts + result.non2xx,
          responses: result.requests.total,
        });
      },
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
}

const REQUEST = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';

/**
 * The same closed loop for a server that closes every connection (Bottle's
 * wsgiref server speaks HTTP/1.0): each of `connections` workers connects,
 * sends one request, reads to the close, and starts over. autocannon cannot
 * time such a server: it writes its next request on the closing socket, loses
 * it, and times every later response from that lost write (a 1 ms response
 * showed up as 400 ms). The connect is part of each latency here, as it is
 * for any client of that server.
 */
async function loadFreshConnections(port: number, connections: number, seconds: number): Promise<Run> {
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const once = (): Promise<boolean> =>
    new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      let head = '';
      socket.setTimeout(10_000, () => socket.destroy());
      socket.on('connect', () => socket.write(REQUEST));
      socket.on('data', (chunk: Buffer) => {
        if (head.length < 16) head += chunk.toString('latin1');
      });
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(/^HTTP\/1\.[01] 200 /.test(head)));
    });
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      if (await once()) latencies.push(performance.now() - t0);
      else failures++;
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return { rps: latencies.length / elapsed, p50: percentile(sorted, 50), p99: percentile(sorted, 99), failures, responses: latencies.length };
}

const CLOCK_TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** User plus system CPU time of a process so far, in milliseconds. */
function cpuMs(child: ChildProcess): number {
  const stat = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

async function measure(subject: Subject, server: Running, connections: number, seconds: number): Promise<Run & { cpuUs: number }> {
  const cpuBefore = cpuMs(server.child) + cpuMs(server.sink);
  const run = await (subject.keepAlive ? loadKeepAlive : loadFreshConnections)(server.port, connections, seconds);
  const cpuAfter = cpuMs(server.child) + cpuMs(server.sink);
  return { ...run, cpuUs: ((cpuAfter - cpuBefore) * 1000) / Math.max(1, run.responses) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function peakRssMiB(child: ChildProcess): number {
  const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kib = Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1] ?? NaN);
  return kib / 1024;
}

const fmt = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

async function main(): Promise<void> {
  if (PIN && spawnSync('taskset', ['-a', '-p', '-c', `0-${CPUS - 2}`, String(process.pid)], { stdio: 'ignore' }).status !== 0) {
    throw new Error('taskset could not pin the load generator');
  }
  const bottleVersion = ensureBottle();
  ensureAppBuilt();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-app-'));
  const files = writeScratchServers(scratch);
  process.on('exit', () => fs.rmSync(scratch, { recursive: true, force: true }));

  const baseEnv = { PATH: process.env.PATH ?? '' };
  const subjects: Subject[] = [
    { name: 'bottle', keepAlive: false, command: PYTHON, args: (port) => [files.bottle, String(port)], env: () => baseEnv },
    {
      name: 'app',
      keepAlive: true,
      command: process.execPath,
      args: () => [APP_MAIN],
      // No drain delay: the benchmark stops a server after each start trial
      // and would otherwise wait out the app's 10 s (in ECS, the Cloud Map
      // TTL), then kill it. Serving is the same either way.
      env: (port) => ({ ...baseEnv, PORT: String(port), APP_COMMIT_ID: 'bench', APP_IMAGE_TAG: 'bench', DRAIN_DELAY_MS: '0' }),
    },
    { name: 'bare', keepAlive: true, command: process.execPath, args: (port) => [files.bare, String(port)], env: () => baseEnv },
  ];

  const python = spawnSync(PYTHON, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`# App benchmark, ${new Date().toISOString()}`);
  console.log(`${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.platform()} ${os.release()}`);
  console.log(`node ${process.version}, ${python}, bottle ${bottleVersion}, autocannon on the same machine`);
  console.log(PIN ? `servers on CPU ${SERVER_CPU}, load generator on CPU 0-${CPUS - 2}` : 'no CPU pinning (one CPU, or no taskset)');
  console.log(`load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);

  const startMs = new Map<string, number>();
  for (const subject of subjects) {
    const trials: number[] = [];
    for (let i = 0; i < START_TRIALS; i++) trials.push(await startToFirst200(subject));
    startMs.set(subject.name, median(trials));
    console.log(`start to first 200, ${subject.name}: median ${fmt(median(trials), 1)} ms of ${trials.map((t) => fmt(t, 0)).join(', ')}`);
  }

  const running = new Map<string, Running>();
  for (const subject of subjects) {
    const port = await freePort();
    running.set(subject.name, { port, ...launch(subject, port) });
    await waitUntilServing(subject, port);
  }

  // Runs are interleaved across the servers so that a change in background
  // load on a shared machine hits all three alike instead of one of them.
  const rows: Row[] = [];
  for (const connections of CONNECTIONS) {
    const runs = new Map<string, Array<Run & { cpuUs: number }>>(subjects.map((s) => [s.name, []]));
    for (const subject of subjects) await measure(subject, running.get(subject.name)!, connections, WARMUP_SECONDS);
    for (let i = 0; i < RUNS; i++) {
      // The order rotates each round: a run right after Bottle's (thousands of
      // short connections just closed) was seen to come out slower, and that
      // must not always be the same server's run.
      for (const subject of subjects.map((_, k) => subjects[(k + i) % subjects.length]!)) {
        await sleep(SETTLE_MS);
        const run = await measure(subject, running.get(subject.name)!, connections, RUN_SECONDS);
        runs.get(subject.name)!.push(run);
        console.log(
          `  c=${connections} run ${i + 1} ${subject.name}: ${fmt(run.rps, 0)} req/s, p50 ${fmt(run.p50, 3)} ms, ` +
            `p99 ${fmt(run.p99, 3)} ms, ${fmt(run.cpuUs, 1)} us CPU/req, failures ${run.failures}`,
        );
      }
    }
    for (const subject of subjects) {
      const r = runs.get(subject.name)!;
      rows.push({
        subject: subject.name,
        connections,
        rps: median(r.map((x) => x.rps)),
        rpsRange: [Math.min(...r.map((x) => x.rps)), Math.max(...r.map((x) => x.rps))],
        p50: median(r.map((x) => x.p50)),
        p99: median(r.map((x) => x.p99)),
        failures: r.reduce((sum, x) => sum + x.failures, 0),
        cpuUs: median(r.map((x) => x.cpuUs)),
      });
    }
  }

  const rssMiB = new Map<string, number>();
  for (const [name, { child }] of running) rssMiB.set(name, peakRssMiB(child));
  for (const { child } of running.values()) await stop(child);

  console.log(`\nload average at end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  console.log(`Median of ${RUNS} x ${RUN_SECONDS} s runs per server after a ${WARMUP_SECONDS} s warm-up, servers interleaved; latency in ms.\n`);
  console.log('| server | connections | req/s | req/s, slowest–fastest run | p50 ms | p99 ms | server CPU µs/req | failed requests |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.subject} | ${r.connections} | ${fmt(r.rps, 0)} | ${fmt(r.rpsRange[0], 0)}–${fmt(r.rpsRange[1], 0)} | ` +
        `${fmt(r.p50, 3)} | ${fmt(r.p99, 3)} | ${fmt(r.cpuUs, 1)} | ${r.failures} |`,
    );
  }
  console.log('\n| server | start to first 200, ms (median of 5) | peak RSS, MiB (VmHWM) |');
  console.log('|---|---:|---:|');
  for (const s of subjects) console.log(`| ${s.name} | ${fmt(startMs.get(s.name)!, 1)} | ${fmt(rssMiB.get(s.name)!, 1)} |`);

  const at = (subject: string, connections: number): Row => rows.find((r) => r.subject === subject && r.connections === connections)!;
  console.log('\n| ratio vs bare node:http | app | bottle |');
  console.log('|---|---:|---:|');
  for (const c of CONNECTIONS) {
    console.log(`| req/s at ${c} connections | ${fmt(at('app', c).rps / at('bare', c).rps)} | ${fmt(at('bottle', c).rps / at('bare', c).rps)} |`);
  }
  for (const c of CONNECTIONS) {
    console.log(`| CPU per request at ${c} connections | ${fmt(at('app', c).cpuUs / at('bare', c).cpuUs)} | ${fmt(at('bottle', c).cpuUs / at('bare', c).cpuUs)} |`);
  }
  console.log(`| peak RSS | ${fmt(rssMiB.get('app')! / rssMiB.get('bare')!)} | ${fmt(rssMiB.get('bottle')! / rssMiB.get('bare')!)} |`);
  console.log(`| start to first 200 | ${fmt(startMs.get('app')! / startMs.get('bare')!)} | ${fmt(startMs.get('bottle')! / startMs.get('bare')!)} |`);

  const app100 = at('app', 100);
  const targets: Array<[string, boolean]> = [
    ['app req/s at 100 connections >= 85% of bare', app100.rps >= 0.85 * at('bare', 100).rps],
    ['app p99 at 100 connections < 10 ms', app100.p99 < 10],
    ['app start to first 200 < 300 ms', startMs.get('app')! < 300],
    ['app peak RSS <= 1.3 x bare', rssMiB.get('app')! <= 1.3 * rssMiB.get('bare')!],
  ];
  console.log('\nTargets:');
  for (const [label, met] of targets) console.log(`  ${met ? 'met    ' : 'MISSED '} ${label}`);

  const resultsDir = path.join(REPO, 'bench', '.results');
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(
    path.join(resultsDir, 'app.json'),
    `${JSON.stringify({ date: new Date().toISOString(), cpus: os.cpus().length, rows, startMs: Object.fromEntries(startMs), rssMiB: Object.fromEntries(rssMiB), targets }, null, 2)}\n`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
