import { buildMessage } from './notify-messages';

const c = { id: 1, number: 'TF-20261126-000001', level: 'red', category: '物业纠纷', areaName: '划船社区' };

describe('buildMessage', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['assigned', {}, /TF-20261126-000001（划船社区·物业纠纷·红色预警） 已分派给您/],
    ['sla_reminder', { clock: 'acknowledge', dueAt: '2026-11-26T09:15:00Z' }, /“确认接单”时限已到（11月26日 17:15）/],
    ['sla_escalated', { clock: 'response', stage: 'supervisor', dueAt: '2026-11-26T09:15:00Z' }, /升级至街道督办/],
    ['sla_escalated', { clock: 'response', stage: 'official', dueAt: '2026-11-26T09:15:00Z' }, /升级至区级督办/],
    ['escalated', { reason: '业主13812345678要求面谈' }, /原因：业主\[电话\]要求面谈/],
    ['commitment_due', { text: '周五前答复，联系电话0574-87654321', dueAt: '2026-11-28T02:00:00Z' }, /联系电话\[电话\]/],
    ['level_raised', { from: 'yellow', to: 'red', windowHours: 24, posts: 7, authors: 5 }, /预警等级已由黄色升为红色：近 24 小时内相关帖子 7 条、发帖人 5 位/],
    ['reopened', { auto: true, postId: 42, grouping: 'same_topic' }, /办结后，同一纠纷又出现了新的帖子，案件已自动重新打开/],
    ['reopened', { reason: '居民来电反映问题未解决' }, /已重新打开。原因：居民来电反映问题未解决/],
  ])('%s', (event, data, expected) => {
    const { title, body } = buildMessage(event, c, data);
    expect(title).toContain(c.number);
    expect(body).toMatch(expected);
    expect(body).not.toMatch(/\d{11}|\d{4}-\d{8}/);
  });
});
