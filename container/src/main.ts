import type { AddressInfo } from 'node:net';
import { readConfig, type Config } from './config';
import { createLogger, type LogEntry } from './log';
import { createApp, createServer } from './server';

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
  const server = createServer(app, options);

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
    if (stopping) {
      announce({ level: 'warn', msg: 'already draining', signal });
      return;
    }
    stopping = true;
    app.startDraining();
    // close() stops accepting; its callback runs once the connections still
    // carrying a request have been answered (each with connection: close).
    server.close((err) => {
      announce({ level: 'info', msg: 'shutdown complete', ...(err ? { note: err.message } : {}) });
      process.exit(0);
    });
    // Idle keep-alive sockets would otherwise hold close() open until their
    // timeout. Node 19+ already does this inside close(); saying it here keeps
    // the shutdown correct without relying on that.
    server.closeIdleConnections();
    announce({ level: 'info', msg: 'draining', signal, timeoutMs: config.shutdownTimeoutMs });
    // unref: when the last connection closes first, this timer must not be what
    // keeps the process alive.
    setTimeout(() => {
      announce({ level: 'error', msg: 'shutdown timed out, exiting with requests still open' });
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
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
