import { join } from 'node:path';
import { loadHeatLexicon, scoreHeat } from './heat';

const lex = loadHeatLexicon(join(__dirname, '../../config/lexicons/heat.yaml'));
const heat = (text: string, extra: Record<string, number> = {}) => scoreHeat({ text, ...extra }, lex);

describe('heat', () => {
  it.each([
    ['今天小区里的桂花开了', 'blue'],
    ['物业不作为，大家很不满', 'yellow'],
    ['业主们准备集体维权，拉横幅堵路', 'red'],
    ['再不解决我就跳楼', 'orange'],
  ])('%s → %s', (text, level) => {
    expect(heat(text).level).toBe(level);
  });

  it('a negation just before a signal cancels it', () => {
    expect(heat('我们不会上访').score).toBeLessThan(heat('我们会上访').score);
    expect(heat('我们不会上访').signals[0]).toMatchObject({ term: '上访', negated: true, weight: 0 });
  });

  it('an intensifier strengthens a signal', () => {
    expect(heat('非常不满').score).toBeGreaterThan(heat('有点不满').score);
  });

  it('the longer term wins over the shorter one it contains', () => {
    expect(heat('投诉无门').signals.map((s) => s.term)).toEqual(['投诉无门']);
  });

  it('engagement and distinct authors raise the score', () => {
    const base = heat('物业不作为').score;
    expect(heat('物业不作为', { replies: 40, likes: 200 }).score).toBeGreaterThan(base);
    expect(heat('物业不作为', { authors: 6 }).score).toBeGreaterThan(base);
  });

  it('is bounded to 0..100', () => {
    const h = heat('集体维权跳楼自杀上访堵路拉横幅'.repeat(20), { replies: 1e6, authors: 1000 });
    expect(h.score).toBeLessThanOrEqual(100);
    expect(h.level).toBe('red');
  });
});
