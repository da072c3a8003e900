import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { load } from 'js-yaml';
import { decodeBody } from '../parsers/charset';
import { previewDocument, PreviewResult } from '../preview';

const USAGE = `Usage: npm run source:preview -- --kind rss|html|discuz|json --file PAGE [--url PAGE_URL] [--config CONFIG.yaml|json]

Prints what a source config extracts from a saved page, as JSON: { page, items: [{ title, author, time, url, body,
replies, views }], next }. The page's bytes are decoded like a crawl does (BOM, <meta charset>, GBK/GB18030).
--url is the address the page was saved from (links are resolved against it; default http://localhost/PAGE).
--config holds the source's "config" (selectors for html, field paths for json); discuz and rss need none.`;

/** Runs the preview command; returns the JSON to print. Exported for tests. */
export function runSourcePreview(argv: string[]): string {
  const { values } = parseArgs({ args: argv, options: { kind: { type: 'string' }, file: { type: 'string' }, url: { type: 'string' }, config: { type: 'string' } } });
  if (!values.kind || !values.file) throw new Error(USAGE);
  const bytes = readFileSync(values.file);
  const url = values.url ?? `http://localhost/${values.file.split('/').pop()}`;
  const config = values.config ? (load(readFileSync(values.config, 'utf8')) as Record<string, unknown>) : {};
  const contentType = values.kind === 'json' ? 'application/json; charset=utf-8' : undefined;
  const result: PreviewResult = previewDocument(values.kind, decodeBody(bytes, contentType), url, config);
  return JSON.stringify(result, null, 2);
}

if (require.main === module) {
  try {
    process.stdout.write(`${runSourcePreview(process.argv.slice(2))}\n`);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}
