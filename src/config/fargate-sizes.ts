/**
 * Task sizes that Fargate accepts, as CPU units → allowed memory (MiB).
 * Source: Amazon ECS Developer Guide, "Task CPU and memory" for the Fargate launch type.
 */
const FARGATE_MEMORY_BY_CPU: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, range(1024, 4096, 1024)],
  [1024, range(2048, 8192, 1024)],
  [2048, range(4096, 16384, 1024)],
  [4096, range(8192, 30720, 1024)],
  [8192, range(16384, 61440, 4096)],
  [16384, range(32768, 122880, 8192)],
]);

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let value = from; value <= to; value += step) values.push(value);
  return values;
}

export const FARGATE_CPU_UNITS: readonly number[] = [...FARGATE_MEMORY_BY_CPU.keys()];

/** The memory sizes Fargate accepts for `cpu`, or an empty list when `cpu` itself is not a Fargate size. */
export function fargateMemoryOptions(cpu: number): readonly number[] {
  return FARGATE_MEMORY_BY_CPU.get(cpu) ?? [];
}

export function describeMemoryOptions(options: readonly number[]): string {
  if (options.length <= 6) return options.join(', ');
  const step = options[1] - options[0];
  return `${options[0]} to ${options[options.length - 1]} in steps of ${step}`;
}
