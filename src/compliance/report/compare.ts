/**
 * Orders by the given keys with plain code-unit comparison: localeCompare would
 * make the reports depend on the machine's locale, and they must be byte-stable.
 */
export function byKeys<T>(...keys: Array<(item: T) => string | number | undefined>): (a: T, b: T) => number {
  return (a, b) => {
    for (const key of keys) {
      const x = key(a) ?? '';
      const y = key(b) ?? '';
      if (x !== y) {
        return x < y ? -1 : 1;
      }
    }
    return 0;
  };
}
