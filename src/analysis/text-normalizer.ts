const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/g;
const TAGS = /<[^>]{0,500}>/g;
const ENTITIES: Record<string, string> = { '&nbsp;': ' ', '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/**
 * Text as the matchers see it: full-width ASCII folded to half-width, markup remnants and zero-width
 * characters removed, whitespace collapsed, Latin letters lower-cased. The original is kept for display.
 * The normalised text does not keep offsets of the original; evidence spans refer to the normalised text.
 */
export function normalizeText(input: string): string {
  return input
    .replace(TAGS, ' ')
    .replace(/&(nbsp|amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity] ?? entity)
    .replace(ZERO_WIDTH, '')
    .replace(/[\uFF01-\uFF5E]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ')
    .replace(/[ \t\r\f\v]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n')
    .toLowerCase()
    .trim();
}
