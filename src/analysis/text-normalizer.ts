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

/** The steps of normalizeText after markup and entities, as regular expressions (the reference; and the path for unusual text). */
export function foldByPatterns(text: string): string {
  return traditionalToSimplified(toHalfWidth(text.replace(ZERO_WIDTH, '')))
    .replace(/([!?,.;:~\-=*#。，！？、；：…·—～])\1+/g, '$1')
    .replace(/[ \t\r\f\v\u00A0]+/g, ' ')
    .replace(/ ?\n[\s]*/g, '\n')
    .toLowerCase()
    .trim();
}

/** Classes of code units for foldInOnePass (0: not handled there). */
const ZW = 1;
const SPACE = 2;
const PUNCT = 4;
const PLAIN = 8;
const UPPER = 16;

/**
 * Code units the single pass handles. PLAIN units are ones toLowerCase leaves alone and that are not
 * whitespace (text-normalizer.spec.ts checks both over all units); anything else (other whitespace,
 * letters with case outside A-Z, surrogates) sends the text to the regular expressions.
 */
function buildUnitClasses(): Uint8Array {
  const cls = new Uint8Array(65536);
  const mark = (from: number, to: number, c: number) => cls.fill(c, from, to + 1);
  mark(0x21, 0x7e, PLAIN);
  mark(0x41, 0x5a, UPPER);
  mark(0xa1, 0xbf, PLAIN);
  mark(0xd7, 0xd7, PLAIN);
  mark(0xf7, 0xf7, PLAIN);
  mark(0x2010, 0x2027, PLAIN);
  mark(0x2030, 0x205e, PLAIN);
  mark(0x2103, 0x2103, PLAIN);
  mark(0x2190, 0x23ff, PLAIN);
  mark(0x2460, 0x24b5, PLAIN);
  mark(0x2500, 0x27bf, PLAIN);
  mark(0x3001, 0x30ff, PLAIN);
  mark(0x3200, 0x4dbf, PLAIN);
  mark(0x4e00, 0x9fff, PLAIN);
  mark(0xfe30, 0xfe4f, PLAIN);
  mark(0xff01, 0xff20, PLAIN);
  mark(0xff3b, 0xff40, PLAIN);
  mark(0xff5b, 0xffef, PLAIN);
  for (const ch of ' \t\n\r\f\v\u00a0') cls[ch.charCodeAt(0)] = SPACE;
  for (const ch of '!?,.;:~-=*#。，！？、；：…·—～') cls[ch.charCodeAt(0)] = PUNCT;
  for (const range of ZERO_WIDTH.source.slice(1, -1).matchAll(/\\u([0-9A-F]{4})(?:-\\u([0-9A-F]{4}))?/gi)) {
    mark(parseInt(range[1], 16), parseInt(range[2] ?? range[1], 16), ZW);
  }
  return cls;
}

/** The class of every code unit (after folding full-width ASCII). */
const UNIT_CLASS = buildUnitClasses();
/** Added to a unit's class when some key of the converter holds it (see ConversionIndex.flag), or is it alone. */
const CONVERTS = 32;
const CONVERTS_ALONE = 64;
let classesWithConversion: Uint8Array | null | undefined;

/** UNIT_CLASS with the conversion flags added (one table read per unit); null when the converter's index could not be built. */
function unitClassesWithConversion(): Uint8Array | null {
  if (classesWithConversion === undefined) {
    if (conversionIndex === undefined) conversionIndex = buildConversionIndex();
    if (conversionIndex === null) classesWithConversion = null;
    else {
      const { flag } = conversionIndex;
      classesWithConversion = UNIT_CLASS.map((cls, unit) => (cls === ZW || flag[unit] === 0 ? cls : cls + (flag[unit] === 1 ? CONVERTS_ALONE : CONVERTS)));
    }
  }
  return classesWithConversion;
}

/** Which code units the single pass treats as plain (for tests). */
export function isPlainUnit(unit: number): boolean {
  return UNIT_CLASS[unit] === PLAIN;
}

let foldBuffer = new Uint16Array(1024);

/**
 * foldByPatterns in one pass over the code units, or null when the text holds a unit it does not
 * handle or one the traditional→simplified conversion could change (then the patterns run):
 * zero-width units dropped; full-width ASCII and the ideographic space folded; a run of one repeated
 * punctuation mark kept once; a run of whitespace and line breaks becoming one line break if it holds
 * one, else one space; A-Z lower-cased; then trimmed.
 */
export function foldInOnePass(text: string): string | null {
  const classes = unitClassesWithConversion();
  if (classes === null) return null;
  if (foldBuffer.length < text.length) foldBuffer = new Uint16Array(2 * text.length);
  const out = foldBuffer;
  let n = 0;
  let lastPunct = -1;
  /** 0: no pending whitespace, 1: pending spaces, 2: pending run holding a line break. */
  let pending = 0;
  /** 0: not yet, 1: no key of the converter occurs, 2: one does. */
  let keysChecked = 0;
  for (let i = 0; i < text.length; i++) {
    let unit = text.charCodeAt(i);
    if (unit >= 0xff01 && unit <= 0xff5e) unit -= 0xfee0;
    else if (unit === 0x3000) unit = 0x20;
    let cls = classes[unit];
    if (cls === ZW) continue;
    if (cls >= CONVERTS) {
      // A unit the converter changes alone; or one of a longer key: whether one occurs is decided on the whole text once.
      if (cls >= CONVERTS_ALONE) return null;
      if (keysChecked === 0) keysChecked = mayConvertToSimplified(toHalfWidth(text.replace(ZERO_WIDTH, ''))) ? 2 : 1;
      if (keysChecked === 2) return null;
      cls -= CONVERTS;
    }
    if (cls === SPACE) {
      if (unit === 0x0a) pending = 2;
      else if (pending === 0) pending = 1;
      continue;
    }
    if (cls === 0) return null;
    if (pending !== 0) {
      out[n++] = pending === 2 ? 0x0a : 0x20;
      pending = 0;
      lastPunct = -1;
    }
    if (cls === PUNCT) {
      if (unit === lastPunct) continue;
      lastPunct = unit;
    } else {
      lastPunct = -1;
      if (cls === UPPER) unit += 0x20;
    }
    out[n++] = unit;
  }
  if (pending !== 0) out[n++] = pending === 2 ? 0x0a : 0x20;
  return unitsToString(out, n).trim();
}

/** Whether this machine stores a Uint16Array's units little-endian (as Buffer's 'utf16le' reads them). */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * The first n code units of a buffer as a string. Long ones through Buffer's UTF-16 decoding (one copy, lone
 * surrogates kept); String.fromCharCode.apply first copies every unit into an argument list (8 bytes a unit) and
 * is 4× slower on a body, but quicker for a title.
 */
function unitsToString(units: Uint16Array, n: number): string {
  if (n > 64 && LITTLE_ENDIAN) return Buffer.from(units.buffer, units.byteOffset, 2 * n).toString('utf16le');
  let text = '';
  for (let from = 0; from < n; from += 4096) text += String.fromCharCode.apply(null, units.subarray(from, Math.min(n, from + 4096)) as unknown as number[]);
  return text;
}

/**
 * Text as the matchers see it: markup remnants and entities removed, zero-width characters removed,
 * full-width ASCII folded to half-width, traditional characters converted to simplified, runs of the
 * same punctuation collapsed to one (！！！ → !, 。。。 → 。), whitespace collapsed, Latin letters
 * lower-cased. The original is kept for display. Evidence spans refer to the normalised text.
 * Most text takes one pass over its code units (foldInOnePass); the rest the regular expressions.
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
  return foldInOnePass(text) ?? foldByPatterns(text);
}
