import { Gazetteer, GazetteerEntry, PlaceHit } from './gazetteer';

/** The trie by whole characters, read unit by unit (the earlier form of find). */
function referenceFind(entries: readonly GazetteerEntry[], text: string): PlaceHit[] {
  type Node = { next: Map<string, Node>; entry?: GazetteerEntry };
  const root: Node = { next: new Map() };
  for (const entry of entries) {
    let node = root;
    for (const ch of entry.alias) {
      let child = node.next.get(ch);
      if (!child) node.next.set(ch, (child = { next: new Map() }));
      node = child;
    }
    node.entry = entry;
  }
  const hits: PlaceHit[] = [];
  for (let i = 0; i < text.length; ) {
    let node: Node | undefined = root;
    let best: { entry: GazetteerEntry; end: number } | undefined;
    for (let j = i; j < text.length && node; j++) {
      node = node.next.get(text[j]);
      if (node?.entry) best = { entry: node.entry, end: j + 1 };
    }
    if (best) {
      hits.push({ alias: best.entry.alias, areaId: best.entry.areaId, start: i, field: 'body' });
      i = best.end;
    } else i++;
  }
  return hits;
}

describe('Gazetteer by code units', () => {
  const entries: GazetteerEntry[] = [
    { alias: '划船', areaId: 1 },
    { alias: '划船新村', areaId: 2 },
    { alias: '新村', areaId: 3 },
    { alias: '村口', areaId: 4 },
    { alias: '𠀋村', areaId: 5 },
    { alias: '江东区', areaId: 6 },
    { alias: '江东', areaId: 7 },
    { alias: '划船', areaId: 8 },
    { alias: '', areaId: 9 },
  ];
  const gazetteer = new Gazetteer(entries);

  it('finds what the trie by characters found, on random texts', () => {
    let s = 3;
    const random = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const pieces = ['划', '船', '新', '村', '口', '江', '东', '区', '𠀋', '\ud840', '的', 'a'];
    for (let n = 0; n < 3000; n++) {
      const text = Array.from({ length: Math.floor(random() * 20) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
      expect([text, gazetteer.find(text)]).toEqual([text, referenceFind(entries, text)]);
    }
  });

  it('answers isAlias as find(name).some(alias === name) does', () => {
    for (const name of ['划船', '划船新村', '新村', '村', '划船新', '江东区', '江东区口', '𠀋村', '', 'x']) {
      expect([name, gazetteer.isAlias(name)]).toEqual([name, referenceFind(entries, name).some((h) => h.alias === name)]);
    }
    expect(gazetteer.find('划船')[0].areaId).toBe(8);
  });
});
