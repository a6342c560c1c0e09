export type LogEntry = Record<string, string | number | boolean>;

export interface Logger {
  /** Any event, as one JSON object per line with the time first. */
  log(entry: LogEntry): void;
  /** The line written for every request; same shape as log() with level "info" and msg "request". */
  request(method: string, path: string, status: number, durationMs: number): void;
  /** Writes out everything buffered; call before process.exit(). */
  flush(): void;
}

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
 */
export function createLogger(out: NodeJS.WritableStream = process.stdout, flushMs = 10, maxBuffered = 16 * 1024): Logger {
  let buffer = '';
  let timer: NodeJS.Timeout | undefined;
  let second = -1;
  let secondText = '';

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

  const flush = (): void => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (buffer === '') return;
    const chunk = buffer;
    buffer = '';
    // stdout is a pipe under ECS and pipes are written synchronously on Linux,
    // so this is on its way to the log driver before process.exit() returns.
    out.write(chunk);
  };

  const append = (line: string): void => {
    buffer += line;
    if (buffer.length >= maxBuffered) flush();
    // unref: a pending flush must not keep a finished process alive; the exit
    // hook below writes what is left.
    else if (timer === undefined) timer = setTimeout(flush, flushMs).unref();
  };

  process.on('exit', flush);
  return {
    log: (entry) => {
      const fields = JSON.stringify(entry);
      append(fields === '{}' ? `{"time":"${stamp()}"}\n` : `{"time":"${stamp()}",${fields.slice(1)}\n`);
    },
    request: (method, path, status, durationMs) => {
      append(
        `{"time":"${stamp()}","level":"info","msg":"request","method":${JSON.stringify(method)},` +
          `"path":${JSON.stringify(path)},"status":${status},"durationMs":${durationMs}}\n`,
      );
    },
    flush,
  };
}
