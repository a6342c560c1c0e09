import type { AddressInfo } from 'node:net';
import { readConfig, type Config } from './config';
import { createLogger, type LogEntry } from './log';
import { createApp, createServer, DEFAULT_LIMITS, drain, openConnections } from './server';

const logger = createLogger();
// Lifecycle lines are rare and someone may be waiting for them (a deployment,
// a test), so they go out at once instead of with the next batch.
function announce(entry: LogEntry): void {
  logger.log(entry);
  logger.flush();
}

function start(config: Config): void {
  const options = { commitId: config.commitId, imageTag: config.imageTag, logger };
  const app = createApp(options);
  const server = createServer(app, options, {
    ...DEFAULT_LIMITS,
    headersTimeoutMs: config.headersTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
  });

  server.on('error', (err: NodeJS.ErrnoException) => {
    announce({ level: 'error', msg: 'server error', code: err.code ?? 'unknown', error: err.message });
    process.exit(1);
  });

  // No host: Node then binds the unspecified address, dual-stack `::` where the
  // kernel has IPv6 and 0.0.0.0 where it does not, instead of failing there.
  server.listen(config.port, () => {
    const { port } = server.address() as AddressInfo;
    announce({
      level: 'info',
      msg: 'listening',
      port,
      commit: config.commitId,
      imageTag: config.imageTag,
      node: process.version,
      pid: process.pid,
    });
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    // ECS sends one SIGTERM. A second signal is someone at a terminal who
    // does not want to wait out the delay (Ctrl-C twice).
    if (stopping) {
      announce({ level: 'warn', msg: 'second signal, exiting without draining', signal, connections: openConnections(server) });
      process.exit(1);
    }
    stopping = true;
    // One deadline for the whole stop, the log flush included, so that the
    // process always exits on its own before ECS's SIGKILL.
    const deadline = performance.now() + config.shutdownTimeoutMs;
    const left = (): number => Math.max(0, deadline - performance.now());
    app.markStopping();
    announce({
      level: 'info',
      msg: 'stopping',
      signal,
      connections: openConnections(server),
      delayMs: config.drainDelayMs,
      idleMs: config.drainIdleMs,
      timeoutMs: config.shutdownTimeoutMs,
    });
    void (async () => {
      await pause(Math.min(config.drainDelayMs, left()));
      const connections = openConnections(server);
      // The listener closes before the line is written: whoever reads "draining" (a log reader, a test)
      // can rely on new connections being refused from then on, even if this process is descheduled
      // right after the write.
      const drained = drain(server, app, config.drainIdleMs);
      announce({ level: 'info', msg: 'draining', connections });
      const closed = await within(drained, left());
      if (closed) logger.log({ level: 'info', msg: 'shutdown complete' });
      else logger.log({ level: 'error', msg: 'shutdown timed out, exiting with requests still open', connections: openConnections(server) });
      // A log reader that has fallen behind gets what is left of the deadline
      // to catch up: the lines it has not taken are lost at exit.
      const flushed = await logger.drain(left());
      process.exit(closed && flushed ? 0 : 1);
    })();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

try {
  start(readConfig(process.env));
} catch (err) {
  announce({ level: 'error', msg: 'invalid configuration', error: (err as Error).message });
  process.exitCode = 1;
}

function pause(ms: number): Promise<void> {
  return ms === 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves true when `promise` settles within `ms`, false otherwise. */
function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    // Not unref'd: the process must not end on its own before this says how.
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
