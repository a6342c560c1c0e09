import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BackgroundPlugin } from '../../../src/compliance/background/background-plugin';

/** One template with its stack, as aws-cdk-lib hands them to a validation plugin. */
function oneTemplate() {
  const templatePath = path.join(mkdtempSync(path.join(tmpdir(), 'background-plugin-')), 'Probe.template.json');
  writeFileSync(templatePath, JSON.stringify({ Resources: { Queue: { Type: 'AWS::SQS::Queue' } } }));
  return { templatePaths: [templatePath], stackTemplates: [{ templatePath, stackConstructPath: 'Probe' }] } as any;
}

const DYING = { module: path.join(__dirname, '..', '..', 'fixtures', 'background-plugin', 'dying-plugin.js'), exportName: 'DyingPlugin', version: 'test' };

test('a worker thread that ends in the middle of a check gives no report, so the caller checks in the main thread, and the next check starts a fresh one', () => {
  const context = oneTemplate();
  const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    for (const attempt of [1, 2]) {
      const plugin = new BackgroundPlugin(DYING);
      plugin.start(context, { attempt });
      expect(plugin.report(context.templatePaths)).toBeUndefined();
    }
    expect(errors.mock.calls.map(([message]) => message)).toEqual([
      'DyingPlugin: its worker thread ended without an answer; it runs in the main thread instead',
      'DyingPlugin: its worker thread ended without an answer; it runs in the main thread instead',
    ]);
  } finally {
    errors.mockRestore();
  }
});

test('runs queued on a worker thread that ends give no report either, and later runs go to a fresh worker', () => {
  const context = oneTemplate();
  const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    // Three checks share one worker: the first ends it, the second was queued behind it.
    const [first, second, third] = [1, 2, 3].map(() => new BackgroundPlugin({ ...DYING, exportName: 'DyingPlugin' }));
    first.start(context, { run: 1 });
    second.start(context, { run: 2 });
    expect(first.report(context.templatePaths)).toBeUndefined();
    expect(second.report(context.templatePaths)).toBeUndefined();
    third.start(context, { run: 3 });
    expect(third.report(context.templatePaths)).toBeUndefined();
    expect(errors).toHaveBeenCalledTimes(3);
  } finally {
    errors.mockRestore();
  }
});

test('a worker thread that never starts its script gives no report once the startup deadline has passed', () => {
  const context = oneTemplate();
  // A script that cannot be loaded ends the thread before anything of it runs, as a missing tsx would.
  const brokenScript = path.join(path.dirname(context.templatePaths[0]), 'broken-worker.js');
  writeFileSync(brokenScript, 'this is not JavaScript');
  const { startupDeadlineMs, workerScript } = BackgroundPlugin;
  const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  BackgroundPlugin.startupDeadlineMs = 300;
  BackgroundPlugin.workerScript = brokenScript;
  try {
    const plugin = new BackgroundPlugin({ ...DYING, exportName: 'NeverStarted' });
    plugin.start(context, {});
    expect(plugin.report(context.templatePaths)).toBeUndefined();
    expect(errors.mock.calls).toEqual([['NeverStarted: its worker thread did not start within 0.3 s; it runs in the main thread instead']]);
  } finally {
    Object.assign(BackgroundPlugin, { startupDeadlineMs, workerScript });
    errors.mockRestore();
  }
});

test('a worker keeps one plugin per configuration, up to a bound past which the least recently used is made again', () => {
  const context = oneTemplate();
  const gateCache = process.env.PLATFORM_GATE_CACHE;
  // Every check reaches the worker: none is answered from the cache.
  process.env.PLATFORM_GATE_CACHE = 'off';
  try {
    const source = { module: path.join(__dirname, '..', '..', 'fixtures', 'background-plugin', 'numbered-plugin.js'), exportName: 'NumberedPlugin', version: 'test' };
    const instanceFor = (props: unknown) => {
      const plugin = new BackgroundPlugin(source);
      plugin.start(context, props);
      return plugin.report(context.templatePaths)?.metadata?.instance;
    };
    const first = instanceFor({ configuration: 0 });
    expect(instanceFor({ configuration: 0 })).toBe(first);
    const others = Array.from({ length: 63 }, (_, index) => instanceFor({ configuration: index + 1 }));
    expect(new Set([first, ...others]).size).toBe(64);
    // Used again, the first configuration is the most recent; the second is now the least recent.
    expect(instanceFor({ configuration: 0 })).toBe(first);
    instanceFor({ configuration: 64 });
    expect(instanceFor({ configuration: 0 })).toBe(first);
    expect(instanceFor({ configuration: 2 })).toBe(others[1]);
    expect(instanceFor({ configuration: 1 })).not.toBe(others[0]);
  } finally {
    if (gateCache === undefined) delete process.env.PLATFORM_GATE_CACHE;
    else process.env.PLATFORM_GATE_CACHE = gateCache;
  }
});
