import { withinActiveHours } from './schedule';

const tz = 'Asia/Shanghai';
// 2026-01-01T00:30Z is 08:30 in Shanghai (UTC+8).
const at = (isoUtc: string) => new Date(isoUtc);

describe('withinActiveHours', () => {
  it.each([
    [null, '2026-01-01T00:30:00Z', true],
    ['07:00-23:00', '2026-01-01T00:30:00Z', true],
    ['07:00-23:00', '2026-01-01T22:30:00Z', false], // 06:30 next day
    ['07:00-23:00', '2026-01-01T15:00:00Z', false], // 23:00 is outside (end exclusive)
    ['22:00-06:00', '2026-01-01T15:00:00Z', true], // 23:00
    ['22:00-06:00', '2026-01-01T21:59:00Z', true], // 05:59
    ['22:00-06:00', '2026-01-01T04:00:00Z', false], // 12:00
    ['08:00-08:00', '2026-01-01T04:00:00Z', true],
  ])('%s at %s → %s', (spec, now, expected) => {
    expect(withinActiveHours(spec, at(now), tz)).toBe(expected);
  });
});
