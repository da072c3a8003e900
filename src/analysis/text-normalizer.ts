import * as OpenCC from 'opencc-js';

const ZERO_WIDTH = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF\u00AD]/g;
const TAGS = /<\/?[a-zA-Z!][^>]{0,500}>/g;
const NAMED_ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", hellip: '…', mdash: '—', ldquo: '“', rdquo: '”' };
const ENTITY = /&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi;

let toSimplified: ((text: string) => string) | undefined;

/**
 * Which texts the converter can change. It replaces dictionary keys found in the text by their values,
 * so a text in which no key with a different value occurs comes back unchanged (most posts: mainland
 * forums write simplified Chinese). Each such key is indexed under one of its characters, a rare one
 * when it has one (a traditional character, or where key and value differ): a text with none of the
 * indexed characters, or only ones whose keys do not occur there, is not given to the converter.
 */
interface ConversionIndex {
  /** Per code unit: 0 no key, 1 a one-unit key (the unit alone is a key), 2 keys to look for around it. */
  flag: Uint8Array;
  keys: Map<number, { key: string; at: number }[]>;
}

let conversionIndex: ConversionIndex | null | undefined;

function dictEntries(dict: unknown): [string, string][] {
  if (typeof dict === 'string') return dict.split('|').map((e) => e.split(' ') as [string, string]);
  if (Array.isArray(dict)) return dict as [string, string][];
  throw new Error('unexpected OpenCC dictionary');
}

/** The index over the dictionaries of Converter({ from: 't', to: 'cn' }) (OpenCC's t2s: normalisation, then conversion); null if their layout is not the expected one. */
function buildConversionIndex(): ConversionIndex | null {
  try {
    const config = (OpenCC.Locale.configs as Record<string, { normalizationChain?: unknown[][]; conversionChain?: unknown[][]; segmentation?: unknown }>).t2s;
    if (!config || config.segmentation || !Array.isArray(config.conversionChain)) return null;
    const dicts = [...(config.normalizationChain ?? []), ...config.conversionChain].flat();
    const entries = dicts.flatMap(dictEntries).filter(([k, v]) => typeof k === 'string' && typeof v === 'string' && k !== '' && k !== v);
    const traditional = new Set(entries.filter(([k]) => [...k].length === 1).map(([k]) => k));
    const flag = new Uint8Array(65536);
    const keys = new Map<number, { key: string; at: number }[]>();
    for (const [key, value] of entries) {
      const chars = [...key];
      const valueChars = [...value];
      let chosen = chars.findIndex((c) => traditional.has(c));
      if (chosen === -1) chosen = chars.length === valueChars.length ? chars.findIndex((c, i) => c !== valueChars[i]) : 0;
      const at = chars.slice(0, chosen).join('').length;
      const unit = key.charCodeAt(at);
      if (key.length === 1) flag[unit] = 1;
      else {
        if (flag[unit] === 0) flag[unit] = 2;
        const list = keys.get(unit);
        if (list) list.push({ key, at });
        else keys.set(unit, [{ key, at }]);
      }
    }
    return { flag, keys };
  } catch {
    return null;
  }
}

/** Whether some dictionary key that changes text occurs in `text` (false: the converter returns it unchanged). */
export function mayConvertToSimplified(text: string): boolean {
  if (conversionIndex === undefined) conversionIndex = buildConversionIndex();
  if (conversionIndex === null) return true;
  const { flag, keys } = conversionIndex;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const f = flag[unit];
    if (f === 0) continue;
    if (f === 1) return true;
    for (const { key, at } of keys.get(unit)!) if (i >= at && text.startsWith(key, i - at)) return true;
  }
  return false;
}

/** Traditional → simplified Chinese (OpenCC dictionaries, loaded on first use). */
export function traditionalToSimplified(text: string): string {
  toSimplified ??= OpenCC.Converter({ from: 't', to: 'cn' });
  return mayConvertToSimplified(text) ? toSimplified(text) : text;
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
  if (!WIDE.test(text)) return text;
  return text.replace(/[\uFF01-\uFF5E]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

const WIDE = /[\uFF01-\uFF5E\u3000]/;

/**
 * Text as the matchers see it: markup remnants and entities removed, zero-width characters removed,
 * full-width ASCII folded to half-width, traditional characters converted to simplified, runs of the
 * same punctuation collapsed to one (！！！ → !, 。。。 → 。), whitespace collapsed, Latin letters
 * lower-cased. The original is kept for display. Evidence spans refer to the normalised text.
 */
export function normalizeText(input: string): string {
  if (!input) return '';
  // Markup and entity patterns are only run when their first character occurs (the result is the same).
  let text = input;
  if (text.includes('<')) {
    text = text
      .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
      .replace(/<br\s*\/?>|<\/p>|<\/div>/gi, '\n')
      .replace(TAGS, ' ');
  }
  if (text.includes('&')) text = text.replace(ENTITY, decodeEntity);
  text = text.replace(ZERO_WIDTH, '');
  return traditionalToSimplified(toHalfWidth(text))
    .replace(/([!?,.;:~\-=*#。，！？、；：…·—～])\1+/g, '$1')
    .replace(/[ \t\r\f\v\u00A0]+/g, ' ')
    .replace(/ ?\n[\s]*/g, '\n')
    .toLowerCase()
    .trim();
}
