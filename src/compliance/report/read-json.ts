import * as fs from 'fs';
import { z } from 'zod';
import { ReportInputError } from './input-error';

/**
 * Reads and validates a JSON file, turning every failure into a one-line
 * ReportInputError that names the file (the CLI shows nothing else).
 */
export function readJsonFile<T extends z.ZodType>(file: string, schema: T, what: string): z.output<T> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ReportInputError(`cannot read ${file}: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ReportInputError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    throw new ReportInputError(`${file} does not look like ${what}: ${where}: ${issue.message}`);
  }
  return parsed.data;
}
