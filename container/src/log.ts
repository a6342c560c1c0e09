export type LogEntry = Record<string, string | number | boolean>;

export interface Logger {
  /** Any event, as one JSON object per line with the time first. Never dropped: lifecycle and error lines go here. */
  log(entry: LogEntry): void;
  /**
   * The line written for every request; same shape as log() with level "info" and msg "request".
   * Dropped, and counted, while the log output is too far behind.
   */
  request(method: string, path: string, status: number, durationMs: number): void;
  /** Input the HTTP parser rejected, one line per rejected request; dropped like request lines. */
  clientError(code: string, status: number): void;
  /** Hands everything buffered to the output; call before process.exit(). */
  flush(): void;
  /**
   * Flushes, reports any lines dropped, and resolves true once the output has
   * taken every line, or false if it has not within `timeoutMs`.
   */
  drain(timeoutMs: number): Promise<boolean>;
}

/** How much log text may wait in memory for a slow reader before request lines are dropped. */
export const DEFAULT_MAX_QUEUED = 4 * 1024 * 1024;

/**
 * JSON lines, written in batches. The app benchmark (bench/README.md in the
 * platform repository) showed the request line as the app's largest cost per
 * request over a bare server: a write per line is a system call and wakes the
 * log reader, and formatting a date or serialising an object costs
 * microseconds. So lines are collected and written together, the time text is
 * reused within a second, and the request line is assembled directly.
 *
 * Batches are small and short-lived (16 KiB or 10 ms, and always before the
 * process exits): lines still waiting when V8 collects its young generation
 * are kept alive, and V8 answers many such survivors by growing the young
 * generation, which with bigger batches cost about 20 MiB of resident memory.
 *
 * Under ECS stdout is a non-blocking pipe to the log driver. Node writes into
 * it at once while the pipe has room and queues in memory when it is full, so
 * a stalled reader would make memory grow with every request and
 * process.exit() would lose the queue. So the queue is bounded (`maxQueued`):
 * past it, per-request lines are dropped and counted, and a line saying how
 * many goes out once the reader has caught up. Lines written with log() are
 * never dropped; they are rare. drain() lets shutdown wait for the queue.
 */
export function createLogger(
  out: NodeJS.WritableStream & { readonly writableLength?: number } = process.stdout,
  flushMs = 10,
  maxBuffered = 16 * 1024,
  maxQueued = DEFAULT_MAX_QUEUED,
): Logger {
  let buffer = '';
  let timer: NodeJS.Timeout | undefined;
  let second = -1;
  let secondText = '';
  let dropped = 0;
  let unwritten = 0; // batches handed to `out` whose write has not completed
  const idle = new Set<() => void>();

  const stamp = (): string => {
    const now = Date.now();
    const s = Math.floor(now / 1000);
    if (s !== second) {
      second = s;
      secondText = new Date(s * 1000).toISOString().slice(0, 20); // 2026-01-31T12:34:56.
    }
    const ms = now - s * 1000;
    return `${secondText}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
  };

  // A stream that writes synchronously (a file, a terminal) has no length.
  const queued = (): number => buffer.length + (out.writableLength ?? 0);

  const format = (entry: LogEntry): string => {
    const fields = JSON.stringify(entry);
    return fields === '{}' ? `{"time":"${stamp()}"}\n` : `{"time":"${stamp()}",${fields.slice(1)}\n`;
  };

  const reportDropped = (): void => {
    if (dropped === 0) return;
    const line = format({ level: 'warn', msg: 'log lines dropped', dropped, reason: 'log output too slow' });
    dropped = 0;
    buffer += line;
  };

  // One function for every batch rather than a closure per write.
  const written = (): void => {
    unwritten--;
    // Half the bound, so that the report is not itself the line that finds
    // the queue full again.
    if (dropped > 0 && queued() <= maxQueued / 2) {
      reportDropped();
      schedule();
    }
    if (unwritten === 0 && idle.size > 0) {
      // Someone waits in drain(): lines added meanwhile (the report above)
      // go out now rather than with the next timer.
      if (buffer !== '') flush();
      else for (const wake of idle) wake();
    }
  };

  const flush = (): void => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (buffer === '') return;
    const chunk = buffer;
    buffer = '';
    unwritten++;
    // The batch is a rope of many small strings, several times the size of
    // its text; a batch that is going to wait behind others is copied into
    // one compact buffer, so the queue's memory is its length. A batch that
    // can go out at once is handed over as it is, which costs no copy here.
    out.write((out.writableLength ?? 0) > 0 ? Buffer.from(chunk) : chunk, written);
  };

  // unref: a pending flush must not keep a finished process alive; the exit
  // hook below writes what is left.
  const schedule = (): void => {
    if (buffer.length >= maxBuffered) flush();
    else if (timer === undefined) timer = setTimeout(flush, flushMs).unref();
  };

  const append = (line: string): void => {
    buffer += line;
    schedule();
  };

  // Asked before a line is built, so a dropped line costs no garbage.
  const full = (): boolean => {
    if (queued() < maxQueued) return false;
    dropped++;
    return true;
  };

  process.on('exit', flush);
  return {
    log: (entry) => {
      // Any count of dropped lines goes first: it is about the lines before
      // this one, and a lifecycle line stays last where it is the last.
      reportDropped();
      append(format(entry));
    },
    request: (method, path, status, durationMs) => {
      if (full()) return;
      append(
        `{"time":"${stamp()}","level":"info","msg":"request","method":${JSON.stringify(method)},` +
          `"path":${JSON.stringify(path)},"status":${status},"durationMs":${durationMs}}\n`,
      );
    },
    clientError: (code, status) => {
      if (full()) return;
      append(`{"time":"${stamp()}","level":"warn","msg":"client error","code":${JSON.stringify(code)},"status":${status}}\n`);
    },
    flush,
    drain: (timeoutMs) => {
      reportDropped();
      flush();
      if (unwritten === 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const finish = (done: boolean): void => {
          clearTimeout(deadline);
          idle.delete(wake);
          resolve(done);
        };
        const wake = (): void => finish(true);
        // Not unref'd: until the deadline this timer is what says the process
        // has something left to do, whatever the stream does.
        const deadline = setTimeout(() => finish(false), timeoutMs);
        idle.add(wake);
      });
    },
  };
}
