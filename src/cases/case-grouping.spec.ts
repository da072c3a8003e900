import { caseFromPosts, decideGrouping, groupInMemory, GroupingPost } from './case-grouping';

const DAY = 86_400_000;
const policy = { windowDays: 30, duplicateBits: 3, reopenDays: 14 };
const post = (id: number, over: Partial<GroupingPost> = {}): GroupingPost => ({
  postId: id,
  at: id * DAY,
  areaId: null,
  places: ['幸福花园'],
  simhash: null,
  domain: '环境保护',
  topics: ['油烟'],
  keywords: [],
  ...over,
});

describe('grouping posts into cases', () => {
  it.each([
    ['same place, same topic, within the window → attach', post(2), { action: 'attach', reason: 'same_topic' }],
    ['same place, another topic → open', post(2, { topics: ['房屋质量与交房'] }), { action: 'open' }],
    ['same topic, another place → open', post(2, { places: ['阳光小区'] }), { action: 'open' }],
    ['same topic, same gazetteer area, no place candidate → attach', post(2, { places: [], areaId: 7 }), { action: 'attach', reason: 'same_topic' }],
    ['same place, too late → open', post(40), { action: 'open' }],
    ['a place written differently (万科幸福花园小区) → attach', post(2, { places: ['万科幸福花园'] }), { action: 'attach', reason: 'same_topic' }],
    ['another compound on a road the case also names → open', post(2, { places: ['阳光小区', '人民路'] }), { action: 'open' }],
    ['only the road the case names → attach', post(2, { places: ['人民路'] }), { action: 'attach', reason: 'same_topic' }],
    ['a near-duplicate anywhere → attach', post(2, { places: [], topics: [], simhash: '0000000000000003' }), { action: 'attach', reason: 'near_duplicate' }],
    ['a fingerprint 4 bits away is not a near-duplicate', post(2, { places: [], topics: [], simhash: '000000000000000f' }), { action: 'open' }],
    ['no topic: same domain and three main keywords → attach', post(2, { topics: [], keywords: ['烧烤', '夜宵', '排烟', '别的'] }), { action: 'attach', reason: 'same_topic' }],
    ['no topic: two keywords are not enough → open', post(2, { topics: [], keywords: ['烧烤', '夜宵'] }), { action: 'open' }],
  ])('%s', (_, incoming, expected) => {
    const open = caseFromPosts('c1', [post(1, { areaId: 7, places: ['幸福花园', '人民路'], simhash: '0000000000000000', keywords: ['烧烤', '夜宵', '排烟'] })]);
    expect(decideGrouping(incoming, [open], policy)).toEqual(expected.action === 'open' ? expected : { ...expected, caseId: 'c1' });
  });

  it('reopens a case closed less than reopenDays ago, not an older one', () => {
    const closedRecently = caseFromPosts('c1', [post(1)], { open: false, closedAt: 10 * DAY });
    expect(decideGrouping(post(20), [closedRecently], policy)).toEqual({ action: 'reopen', caseId: 'c1', reason: 'same_topic' });
    expect(decideGrouping(post(30), [closedRecently], policy)).toEqual({ action: 'open' });
  });

  it('prefers an open case to a closed one', () => {
    const closed = caseFromPosts('old', [post(1)], { open: false, closedAt: 5 * DAY });
    const open = caseFromPosts('new', [post(6)]);
    expect(decideGrouping(post(8), [closed, open], policy)).toMatchObject({ action: 'attach', caseId: 'new' });
  });

  it('groups in time order whatever the input order; another topic opens its own case', () => {
    const posts = [post(3), post(1), post(2, { places: ['幸福花园', '人民路'] }), post(4, { places: ['人民路'] }), post(5, { topics: ['噪音扰民'] })];
    const cases = groupInMemory(posts, policy);
    expect(cases.map((c) => c.posts)).toEqual([[1, 2, 3, 4], [5]]);
  });
});
