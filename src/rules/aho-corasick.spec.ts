import fc from 'fast-check';
import { AhoCorasick } from './aho-corasick';

describe('AhoCorasick', () => {
  it('agrees with indexOf with many patterns (nodes with many children, long fail chains, repeated patterns)', () => {
    const unit = fc.constantFrom(...'abcdefghij物业费坏了');
    const word = (max: number) => fc.array(unit, { minLength: 1, maxLength: max }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.array(word(4), { minLength: 1, maxLength: 80 }), word(120), (patterns, text) => {
        const ac = new AhoCorasick(patterns);
        const count = ac.scan(text);
        const got: string[] = [];
        for (let i = 0; i < count; i++) got.push(`${ac.hitPattern[i]}:${ac.hitEnd[i]}`);
        // Ordered by end, longer patterns first at one end, a repeated pattern under each of its numbers in order.
        const want: { id: number; start: number; end: number }[] = [];
        patterns.forEach((p, id) => {
          for (let at = text.indexOf(p); at !== -1; at = text.indexOf(p, at + 1)) want.push({ id, start: at, end: at + p.length });
        });
        want.sort((x, y) => x.end - y.end || x.start - y.start || x.id - y.id);
        expect(got).toEqual(want.map((h) => `${h.id}:${h.end}`));
      }),
      { numRuns: 400 },
    );
  });
});
