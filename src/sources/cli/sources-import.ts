import { load } from 'js-yaml';
import { AppError } from '../../common/app-error';
import type { SourceInput } from '../source-validation';
import { validateSourceInput } from '../source-validation';

/**
 * Reads a sources YAML file (`sources: [ { code, name, kind, url, config, intervalSeconds | cron, … } ]`) and validates
 * every entry before anything is written (pure). Errors name the entry and the field: `sources[2].config.list.item`.
 */
export function parseSourcesYaml(text: string): SourceInput[] {
  let doc: unknown;
  try {
    doc = load(text);
  } catch (error) {
    throw new AppError('invalid_request', `not valid YAML: ${(error as Error).message}`, { field: 'sources' });
  }
  const list = (doc as { sources?: unknown } | null)?.sources;
  if (!Array.isArray(list)) throw new AppError('invalid_request', 'the file must have a "sources" list', { field: 'sources' });
  const codes = new Set<string>();
  return list.map((entry, i) => {
    try {
      validateSourceInput(entry as SourceInput);
    } catch (error) {
      if (error instanceof AppError) {
        const field = `sources[${i}].${String(error.details?.field ?? '')}`;
        throw new AppError('invalid_request', `${field}: ${error.message}`, { field });
      }
      throw error;
    }
    const input = entry as SourceInput;
    if (codes.has(input.code)) throw new AppError('invalid_request', `sources[${i}].code: ${input.code} appears twice`, { field: `sources[${i}].code` });
    codes.add(input.code);
    return input;
  });
}
