import { maskDeep, maskForNotification } from './mask';

describe('maskForNotification', () => {
  it.each<[string, string]>([
    ['业主电话13812345678，请回电', '业主电话[电话]，请回电'],
    ['固话 0574-87654321 物业', '固话 [电话] 物业'],
    ['身份证330203198001011234已登记', '身份证[身份证号]已登记'],
    ['+86 138 1234 5678', '[电话]'],
    ['案件 TF-20261126-000042 已分派', '案件 TF-20261126-000042 已分派'],
  ])('%s', (input, expected) => expect(maskForNotification(input)).toBe(expected));
});

describe('maskDeep', () => {
  it('masks every string inside objects and arrays, leaving other values', () => {
    expect(maskDeep({ reason: '电话13812345678', n: 3, list: ['330203198001011234', null], nested: { ok: true } })).toEqual({
      reason: '电话[电话]',
      n: 3,
      list: ['[身份证号]', null],
      nested: { ok: true },
    });
  });
});
