// Highlights matched terms in the text as displayed. The analysis reports spans in the *normalised*
// text (simplified, half-width…), which do not line up with the original; so we look the terms up
// again in what we show, case-insensitively, longest first, without overlaps.

/** [{ text, term? }] segments of `text`; segments with `term` are matches. */
export function highlightSegments(text, terms) {
  const source = String(text || '');
  const lower = source.toLowerCase();
  const unique = [...new Set((terms || []).filter((t) => t && t.trim()))].sort((a, b) => b.length - a.length);
  const found = [];
  for (const term of unique) {
    const needle = term.toLowerCase();
    for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + needle.length)) {
      found.push({ start: at, end: at + needle.length, term });
    }
  }
  found.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start));
  const segments = [];
  let cursor = 0;
  for (const match of found) {
    if (match.start < cursor) continue;
    if (match.start > cursor) segments.push({ text: source.slice(cursor, match.start) });
    segments.push({ text: source.slice(match.start, match.end), term: match.term });
    cursor = match.end;
  }
  if (cursor < source.length) segments.push({ text: source.slice(cursor) });
  return segments;
}

/** The terms that fired, from analysis.firedRules[].hits[]. */
export function firedTerms(analysis) {
  return (analysis && analysis.firedRules ? analysis.firedRules : []).flatMap((r) => (r.hits || []).map((hit) => hit.term));
}
