import * as OpenCC from 'opencc-js';

const ZERO_WIDTH = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF\u00AD]/g;
const TAGS = /<\/?[a-zA-Z!][^>]{0,500}>/g;
const NAMED_ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", hellip: '…', mdash: '—', ldquo: '“', rdquo: '”' };
const ENTITY = /&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi;

let toSimplified: ((text: string) => string) | undefined;

/** Traditional → simplified Chinese (OpenCC dictionaries, loaded on first use). */
export function traditionalToSimplified(text: string): string {
  toSimplified ??= OpenCC.Converter({ from: 't', to: 'cn' });
  return toSimplified(text);
}

function decodeEntity(whole: string, name: string): string {
  if (name[0] === '#') {
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  }
  return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
}

/** Full-width ASCII (！-～) and the ideographic space folded to half-width. */
export function toHalfWidth(text: string): string {
  return text.replace(/[\uFF01-\uFF5E]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

/**
 * Text as the matchers see it: markup remnants and entities removed, zero-width characters removed,
 * full-width ASCII folded to half-width, traditional characters converted to simplified, runs of the
 * same punctuation collapsed to one (！！！ → !, 。。。 → 。), whitespace collapsed, Latin letters
 * lower-cased. The original is kept for display. Evidence spans refer to the normalised text.
 */
export function normalizeText(input: string): string {
  if (!input) return '';
  const text = input
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<br\s*\/?>|<\/p>|<\/div>/gi, '\n')
    .replace(TAGS, ' ')
    .replace(ENTITY, decodeEntity)
    .replace(ZERO_WIDTH, '');
  return traditionalToSimplified(toHalfWidth(text))
    .replace(/([!?,.;:~\-=*#。，！？、；：…·—～])\1+/g, '$1')
    .replace(/[ \t\r\f\v\u00A0]+/g, ' ')
    .replace(/ ?\n[\s]*/g, '\n')
    .toLowerCase()
    .trim();
}
