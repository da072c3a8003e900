import * as iconv from 'iconv-lite';

/** How many leading bytes are searched for a `<meta charset>` or XML declaration. */
const SNIFF_BYTES = 2048;

/** Labels of the simplified-Chinese family; all are decoded as GB18030, their superset. */
const GB_LABELS = new Set([
  'gbk',
  'gb2312',
  'gb_2312',
  'gb_2312-80',
  'gb18030',
  'x-gbk',
  'cp936',
  'ms936',
  'windows-936',
  'euc-cn',
  'csgb2312',
  'iso-ir-58',
  'chinese',
]);

/** Labels the WHATWG Encoding Standard maps to windows-1252. */
const LATIN1_LABELS = new Set(['iso-8859-1', 'iso8859-1', 'latin1', 'l1', 'us-ascii', 'ascii', 'cp1252']);

/**
 * Decodes an HTTP body to a string.
 *
 * The encoding comes from, in order: a byte order mark, the `charset` parameter of `contentType`,
 * a `<meta charset>` / `<meta http-equiv="Content-Type">` / `<?xml encoding?>` declaration in the first 2 KB,
 * and finally UTF-8. A BOM is checked first (as browsers do) because it cannot be wrong, while headers often are.
 * A label iconv-lite does not know is skipped, never thrown on. GBK and GB2312 are decoded as GB18030.
 */
export function decodeBody(bytes: Uint8Array, contentType?: string): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const encoding =
    encodingFromBom(buffer) ??
    resolveEncoding(charsetFromContentType(contentType)) ??
    resolveSniffed(sniffCharset(buffer)) ??
    'utf-8';
  // iconv-lite strips a leading BOM by default.
  return iconv.decode(buffer, encoding);
}

/** The `charset` parameter of a Content-Type header value, if any. */
export function charsetFromContentType(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^\s;]+))/i.exec(contentType);
  return match ? (match[1] ?? match[2]) : undefined;
}

/** The charset declared in the first 2 KB of an HTML or XML document, if any. */
export function sniffCharset(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, SNIFF_BYTES)).toString('latin1');
  const xml = /^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([^"']+)["']/i.exec(head);
  if (xml) return xml[1];
  // Covers both <meta charset="gbk"> and <meta http-equiv="Content-Type" content="text/html; charset=gbk">.
  const meta = /<meta\s[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head);
  return meta?.[1];
}

/** Maps a charset label to an iconv-lite encoding name, or undefined when the label is unknown. */
export function resolveEncoding(label: string | undefined): string | undefined {
  if (!label) return undefined;
  const name = label.trim().toLowerCase();
  if (name === '') return undefined;
  if (GB_LABELS.has(name)) return 'gb18030';
  if (name === 'utf8' || name === 'unicode-1-1-utf-8') return 'utf-8';
  if (LATIN1_LABELS.has(name)) return 'windows-1252';
  return iconv.encodingExists(name) ? name : undefined;
}

/** A declaration found inside ASCII-compatible bytes cannot truthfully say UTF-16: treat it as UTF-8. */
function resolveSniffed(label: string | undefined): string | undefined {
  const encoding = resolveEncoding(label);
  return encoding?.startsWith('utf-16') || encoding?.startsWith('utf16') ? 'utf-8' : encoding;
}

function encodingFromBom(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
}
