import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

/*
 * The shipped schema is SARIF 2.1.0-rtm.5, the JSON Schema Store copy of the
 * OASIS schema that Microsoft's SARIF SDK validates with, copied unchanged from
 * the MIT-licensed npm package @microsoft/jest-sarif@1.0.0-beta.0. It is draft-04,
 * which ajv 8 no longer knows, hence the options below.
 */
export const SCHEMA_FILE = path.join(__dirname, '..', '..', '..', 'src', 'compliance', 'report', 'sarif-2.1.0.schema.json');

/** Keywords whose meaning draft-04 and draft-07 share; sarif.test.ts checks the schema uses no others. */
export const SHARED_KEYWORDS = [
  '$ref', '$schema', 'additionalProperties', 'anyOf', 'default', 'definitions', 'description', 'enum', 'format', 'id',
  'items', 'maximum', 'minItems', 'minimum', 'oneOf', 'pattern', 'properties', 'required', 'title', 'type', 'uniqueItems',
];

export function readSchema(): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8'));
}

export function sarifValidator() {
  const ajv = new Ajv({
    allErrors: true,
    // ajv 8 has no draft-04 meta-schema to check the schema itself against.
    validateSchema: false,
    // rtm.5's `language` pattern has a stray `]` that only non-unicode regexps accept, as draft-04 intended.
    unicodeRegExp: false,
  });
  addFormats(ajv);
  // draft-04's `id` is the root's identifier; ajv 8 rejects it in favour of `$id`.
  ajv.removeKeyword('id');
  ajv.addKeyword('id');
  return ajv.compile(readSchema());
}

/** Every keyword the schema uses, skipping property and definition names. */
export function keywordsOf(schema: unknown, names = false): Set<string> {
  const found = new Set<string>();
  if (Array.isArray(schema)) {
    schema.forEach(s => keywordsOf(s).forEach(k => found.add(k)));
  } else if (schema !== null && typeof schema === 'object') {
    for (const [key, value] of Object.entries(schema)) {
      if (!names) {
        found.add(key);
      }
      const childNames = !names && (key === 'properties' || key === 'definitions');
      keywordsOf(value, childNames).forEach(k => found.add(k));
    }
  }
  return found;
}
