import { HeatLexicon, scoreHeat } from './heat';

/** The earlier form: every term searched with repeated indexOf, kinds and terms in order, then the same selection. */
function referenceHeat(text: string, lex: HeatLexicon) {
  const candidates: { kind: string; term: string; start: number; end: number; weight: number }[] = [];
  for (const [kind, s] of Object.entries(lex.signals)) {
    for (const term of s.terms) {
      for (let at = text.indexOf(term); at !== -1; at = text.indexOf(term, at + term.length)) {
        candidates.push({ kind, term, start: at, end: at + term.length, weight: s.weight });
      }
    }
  }
  candidates.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  const taken: typeof candidates = [];
  for (const c of candidates) if (!taken.some((t) => c.start < t.end && c.end > t.start)) taken.push(c);
  return taken.sort((a, b) => a.start - b.start).map((c) => [c.kind, c.term, c.start]);
}

describe('heat signals in one pass', () => {
  // Overlapping terms, a term inside another, a term repeating itself (啊啊), the same term in two kinds.
  const lex: HeatLexicon = {
    negationWindow: 2,
    intensifierFactor: 1.5,
    negations: ['不'],
    intensifiers: ['很'],
    signals: {
      a: { weight: 2, terms: ['投诉', '投诉无门', '啊啊', '门口', '无门'] },
      b: { weight: 6, terms: ['上访', '诉无', '投诉', '访'] },
      c: { weight: 9, terms: ['啊啊啊'] },
    },
    engagementWeight: 3,
    authorWeight: 4,
    saturation: 20,
    levels: { yellow: 15, orange: 40, red: 65 },
  };

  it('finds and selects the signals term-by-term search did', () => {
    let s = 5;
    const random = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const pieces = ['投', '诉', '无', '门', '口', '啊', '上', '访', '不', '很', '的'];
    for (let n = 0; n < 3000; n++) {
      const text = Array.from({ length: Math.floor(random() * 30) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
      const heat = scoreHeat({ text }, lex);
      expect([text, heat.signals.map((x) => [x.kind, x.term, x.start])]).toEqual([text, referenceHeat(text, lex)]);
    }
  });
});
