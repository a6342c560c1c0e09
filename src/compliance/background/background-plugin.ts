import * as path from 'node:path';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { IPolicyValidationContext, PolicyValidationPluginReport, PolicyViolation } from 'aws-cdk-lib';
import { mergeViolations, TemplateReportCache, violationsByTemplate } from './template-report-cache';

/** A validation plugin's class, by the module and the export to construct it from in the worker. */
export interface PluginSource {
  readonly module: string;
  readonly exportName: string;
  /** The version of what decides its findings (its package's), part of what a cached report is kept under. */
  readonly version: string;
}

interface Pending {
  readonly templatePaths: string;
  /** Violations already known, per template, from the cache. */
  readonly cached: ReadonlyArray<readonly PolicyViolation[]>;
  /** The templates handed to the worker, each with the key its findings are stored under. */
  readonly checked: ReadonlyArray<{ readonly templatePath: string; readonly key?: string }>;
  readonly cache?: TemplateReportCache;
  readonly port?: MessagePort;
  readonly done?: Int32Array;
  /** The worker the templates went to: another may have replaced it in the map by the time they are collected. */
  readonly worker?: WorkerEntry;
}

/** A worker thread, and what it records in shared memory: that it runs its script, and that it has ended. */
interface WorkerEntry {
  readonly worker: Worker;
  readonly state: Int32Array;
}

/**
 * A validation plugin run in a worker thread. aws-cdk-lib calls the gate's plugins one after the other on
 * the main thread; started as soon as the templates exist (`start`), this one works while the others run,
 * and `report` waits only for what is left of its work. Templates it has checked before (same plugin,
 * props and bytes) are not checked again (TemplateReportCache). One worker per plugin class, loaded when
 * the gate is set up (while the app's constructs are built) and reused by every synthesis of the process.
 */
export class BackgroundPlugin {
  /** How long a worker may take to start running its script before its plugin runs in the main thread instead. */
  public static startupDeadlineMs = 60_000;
  /** The script each worker runs (a test points it at one that never starts). */
  public static workerScript = path.join(__dirname, 'plugin-worker.js');
  private static readonly workers = new Map<string, WorkerEntry>();

  private pending?: Pending;

  public constructor(private readonly source: PluginSource) {
    this.worker();
  }

  /**
   * Hands the templates not checked before to the worker, with the plugin's props (plain data); `report`
   * collects the result. The worker gets the context's data (templates, and each one's stack path, account
   * and region), not the construct tree: what runs there reads templates only. The findings are cached
   * under `cachedAs`, the props by default: props that find the same on these templates may stand for
   * them (rewritten texts of rule files for the rule files).
   */
  public start(context: IPolicyValidationContext, props?: unknown, cachedAs: unknown = props): void {
    // The worker checks the stacks it is given: a template without its stack would go unchecked. Nothing
    // is started then, and the plugin checks in the main thread when its turn comes.
    if (!context.templatePaths.every((templatePath) => context.stackTemplates.some((stack) => stack.templatePath === templatePath))) {
      this.pending = undefined;
      return;
    }
    const cache = TemplateReportCache.forPlugin(`${this.source.module}#${this.source.exportName}@${this.source.version}:${JSON.stringify(cachedAs ?? null)}`);
    const cached: PolicyViolation[][] = [];
    const checked: Array<{ templatePath: string; key?: string }> = [];
    const stacks = context.stackTemplates.filter((stack) => {
      const key = cache?.keyOf(stack);
      const known = key === undefined ? undefined : cache?.read(key, stack.templatePath);
      if (known) cached.push(known);
      else checked.push({ templatePath: stack.templatePath, key });
      return !known;
    });
    const pending: Pending = { templatePaths: templateSetKey(context.templatePaths), cached, checked, cache };
    if (stacks.length === 0) {
      this.pending = pending;
      return;
    }
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    const data = { templatePaths: stacks.map((stack) => stack.templatePath), stackTemplates: stacks.map((stack) => ({ ...stack })) };
    const worker = this.worker();
    worker.worker.postMessage({ context: data, props, port: port2, signal }, [port2]);
    this.pending = { ...pending, port: port1, done: new Int32Array(signal), worker };
  }

  /**
   * The report for these templates, when `start` was given exactly them; waits for the worker to finish.
   * Undefined when it was not started for them, or when its worker thread ended without an answer: the
   * caller then runs the plugin in the main thread.
   */
  public report(templatePaths: readonly string[]): PolicyValidationPluginReport | undefined {
    const pending = this.pending;
    if (!pending || pending.templatePaths !== templateSetKey(templatePaths)) return undefined;
    this.pending = undefined;
    const fresh = pending.port && pending.done && pending.worker ? this.receive(pending.port, pending.done, pending.worker) : undefined;
    if (fresh === WORKER_GONE) return undefined;
    if (fresh && !fresh.metadata?.error) {
      const found = violationsByTemplate(fresh, pending.checked.map((checked) => checked.templatePath));
      for (const checked of pending.checked) if (checked.key && found) pending.cache?.write(checked.key, found.get(checked.templatePath) ?? []);
    }
    const violations = mergeViolations([...pending.cached, fresh?.violations ?? []]);
    return {
      ...fresh,
      violations,
      success: (fresh?.success ?? true) && !pending.cached.flat().some((violation) => ['error', 'fatal', undefined, ''].includes(violation.severity)),
    };
  }

  private receive(port: MessagePort, done: Int32Array, worker: WorkerEntry): PolicyValidationPluginReport | typeof WORKER_GONE {
    // In slices: a worker thread that has died answers nothing, and a wait without end would hang the synth.
    const { state } = worker;
    const started = Date.now();
    while (Atomics.wait(done, 0, 0, 100) === 'timed-out') {
      const running = Atomics.load(state, 0);
      if (running === WORKER_ENDED || (running === WORKER_STARTING && Date.now() - started > BackgroundPlugin.startupDeadlineMs)) {
        port.close();
        this.dropWorker(worker);
        const what = running === WORKER_ENDED ? 'ended without an answer' : `did not start within ${BackgroundPlugin.startupDeadlineMs / 1000} s`;
        console.error(`${this.source.exportName}: its worker thread ${what}; it runs in the main thread instead`);
        return WORKER_GONE;
      }
    }
    const received = receiveMessageOnPort(port) as { message: { report?: PolicyValidationPluginReport; error?: string } } | undefined;
    port.close();
    if (received?.message.error !== undefined) throw new Error(`${this.source.exportName} failed in its worker thread: ${received.message.error}`);
    if (!received?.message.report) throw new Error(`${this.source.exportName} finished in its worker thread without a report`);
    return received.message.report;
  }

  private worker(): WorkerEntry {
    let entry = BackgroundPlugin.workers.get(this.workerId);
    if (!entry) {
      const state = new SharedArrayBuffer(4);
      const worker = new Worker(BackgroundPlugin.workerScript, { workerData: { ...this.source, state } });
      // Its failures reach the main thread through `state` (see receive), not as an unhandled 'error' event.
      worker.on('error', () => undefined);
      // It never keeps alive a process that has nothing else to do.
      worker.unref();
      entry = { worker, state: new Int32Array(state) };
      BackgroundPlugin.workers.set(this.workerId, entry);
    }
    return entry;
  }

  /**
   * Forgets a worker that is gone, so that the next run starts a fresh one, and marks it ended for the
   * other runs queued on it, which then stop waiting too.
   */
  private dropWorker(worker: WorkerEntry): void {
    if (BackgroundPlugin.workers.get(this.workerId) === worker) BackgroundPlugin.workers.delete(this.workerId);
    Atomics.store(worker.state, 0, WORKER_ENDED);
    void worker.worker.terminate();
  }

  private get workerId(): string {
    return `${this.source.module}#${this.source.exportName}`;
  }
}

const WORKER_STARTING = 0;
const WORKER_ENDED = 2;
const WORKER_GONE = Symbol('worker gone');

/** One key for a set of templates, whatever their order: what a started run is matched with when it is collected. */
export function templateSetKey(templatePaths: readonly string[]): string {
  return JSON.stringify([...templatePaths].sort());
}
