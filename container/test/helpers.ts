import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** container/, whether this runs from test/ or from the compiled dist/test/. */
export const CONTAINER_DIR = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');
const MAIN = path.join(CONTAINER_DIR, 'dist', 'src', 'main.js');

// Waits in these helpers are bounded so that a broken app fails a test
// instead of hanging the suite; they never judge how fast anything was.
const PATIENCE_MS = 5_000;

export type LogLine = Record<string, unknown>;

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface RunningApp {
  readonly port: number;
  readonly child: ChildProcess;
  /** Every stdout line, as written. */
  readonly rawLines: string[];
  readonly exited: Promise<Exit>;
  waitForLog(match: (line: LogLine) => boolean): Promise<LogLine>;
  /** SIGTERM, then wait for the process to end. */
  stop(): Promise<Exit>;
  /** Stops reading stdout, as a stalled log driver would: the pipe fills and the app's writes wait. */
  stallOutput(): void;
  resumeOutput(): void;
  /** SIGKILL if still running: cleanup for a test that failed half-way. */
  kill(): void;
}

export function parseLines(rawLines: string[]): LogLine[] {
  return rawLines.map((line) => JSON.parse(line) as LogLine);
}

/** Runs the built app the way the image does, on a port the kernel picks. */
export async function startApp(env: Record<string, string> = {}): Promise<RunningApp> {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const rawLines: string[] = [];
  const waiters = new Set<() => void>();
  let pending = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) !== -1) {
      rawLines.push(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
    }
    for (const wake of waiters) wake();
  });
  // 'close' rather than 'exit': it comes after stdout has been read to the end.
  let closed = false;
  const exited = new Promise<Exit>((resolve) => {
    child.on('close', (code, signal) => {
      closed = true;
      for (const wake of waiters) wake();
      resolve({ code, signal });
    });
  });

  const waitForLog = async (match: (line: LogLine) => boolean): Promise<LogLine> => {
    const deadline = Date.now() + PATIENCE_MS;
    for (;;) {
      for (const raw of rawLines) {
        try {
          const line = JSON.parse(raw) as LogLine;
          if (match(line)) return line;
        } catch {
          // Unparsable lines are reported by the tests that check the log format.
        }
      }
      if (closed) throw new Error(`app exited with code ${child.exitCode}; stdout:\n${rawLines.join('\n')}`);
      if (Date.now() > deadline) throw new Error(`no matching log line; stdout:\n${rawLines.join('\n')}`);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, 100);
        waiters.add(wake);
      });
    }
  };

  const listening = await waitForLog((line) => line.msg === 'listening');
  return {
    port: listening.port as number,
    child,
    rawLines,
    exited,
    waitForLog,
    stop: async () => {
      if (!closed) child.kill('SIGTERM');
      return exited;
    },
    kill: () => {
      if (!closed) child.kill('SIGKILL');
    },
    stallOutput: () => child.stdout!.pause(),
    resumeOutput: () => child.stdout!.resume(),
  };
}

/** The most resident memory the process has used so far (VmHWM), in MiB. */
export function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1]) / 1024;
}

export interface Response {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export function request(port: number, method: string, urlPath: string, headers: http.OutgoingHttpHeaders = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Writes bytes on a fresh TCP connection and returns all the server sent before closing it. */
export function rawExchange(port: number, payload: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    // The server may reset a connection whose unread input it dropped; what
    // it answered before that is still the result.
    socket.on('error', (err: NodeJS.ErrnoException) => (received ? undefined : reject(err)));
    socket.on('close', () => resolve(received));
    socket.write(payload);
  });
}

/** A raw connection with a request written but not finished, so it stays in flight. */
export interface HeldRequest {
  readonly socket: net.Socket;
  /** Sends the blank line that ends the headers; resolves with the whole response once the server closes. */
  finish(): Promise<string>;
}

export async function holdRequest(port: number, urlPath: string): Promise<HeldRequest> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let received = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (received += chunk));
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  await new Promise<void>((resolve, reject) =>
    socket.write(`GET ${urlPath} HTTP/1.1\r\nHost: test\r\n`, (err) => (err ? reject(err) : resolve())),
  );
  await untilServerHasRead(port, socket.localPort!);
  return {
    socket,
    finish: async () => {
      socket.write('\r\n');
      return closed;
    },
  };
}

/**
 * Node's server counts a connection as busy only once it has parsed the first
 * bytes of a request; until then close() treats it as idle and drops it. The
 * kernel's receive queue for the server's end of the connection shows when the
 * app has read what was sent (Linux /proc/net/tcp*; elsewhere a short pause).
 */
async function untilServerHasRead(serverPort: number, clientPort: number): Promise<void> {
  const local = `:${serverPort.toString(16).toUpperCase().padStart(4, '0')}`;
  const remote = `:${clientPort.toString(16).toUpperCase().padStart(4, '0')}`;
  const deadline = Date.now() + PATIENCE_MS;
  while (Date.now() < deadline) {
    let rows: string[];
    try {
      rows = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) => readFileSync(file, 'utf8').split('\n'));
    } catch {
      await sleep(200);
      return;
    }
    const row = rows.map((r) => r.trim().split(/\s+/)).find((f) => f[1]?.endsWith(local) && f[2]?.endsWith(remote));
    if (row !== undefined && row[4]?.split(':')[1] !== undefined && parseInt(row[4].split(':')[1]!, 16) === 0) return;
    await sleep(5);
  }
  throw new Error('the server never read the request bytes');
}

/** Resolves with the error code of a connection attempt, or 'connected'. */
export function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}
