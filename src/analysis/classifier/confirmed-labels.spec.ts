import { domainOf, mergeConfirmed, trainingVersion } from './confirmed-labels';
import type { Taxonomy } from './taxonomy';

const taxonomy: Taxonomy = {
  version: 1,
  domains: [
    { name: '城乡建设', types: [{ name: '物业纠纷', terms: ['物业'] }, { name: '违章搭建', terms: ['违建'] }] },
    { name: '环境保护', types: [{ name: '噪音扰民', terms: ['噪音'] }] },
  ],
};
const at = new Date('2026-11-26T00:00:00Z');

describe('confirmed labels for training', () => {
  it.each([
    ['物业纠纷', '城乡建设'],
    ['城乡建设', '城乡建设'],
    ['噪音扰民', '环境保护'],
    ['群体性事件', null],
    ['', null],
  ])('maps %s to domain %s', (category, domain) => {
    expect(domainOf(taxonomy, category)).toBe(domain);
  });

  it('appends usable confirmed labels after the labelled file messages and names the version after them', () => {
    const file = [
      { id: 'a', body: '文件里的留言', label: '环境保护' },
      { id: 'b', body: '没有标签的留言' },
    ];
    const merged = mergeConfirmed(
      file,
      [
        { postId: 9, category: '噪音扰民', title: '标题九', body: '楼下广场舞太吵', confirmedAt: at },
        { postId: 3, category: '物业纠纷', title: null, body: '物业乱收费', confirmedAt: at },
        { postId: 5, category: '不存在', title: null, body: '别的', confirmedAt: at },
        { postId: 7, category: '物业纠纷', title: null, body: '  ', confirmedAt: at },
      ],
      taxonomy,
    );
    expect(merged.messages).toEqual([
      { id: 'a', body: '文件里的留言', label: '环境保护' },
      { id: 'confirmed-3', title: null, body: '物业乱收费', label: '城乡建设' },
      { id: 'confirmed-9', title: '标题九', body: '楼下广场舞太吵', label: '环境保护' },
    ]);
    expect(merged).toMatchObject({ added: 2, skipped: 2, digest: expect.stringMatching(/^[0-9a-f]{8}$/) });
    expect(trainingVersion('v1', merged)).toBe(`v1-confirmed-${merged.digest}`);
    expect(trainingVersion('v1')).toBe('v1');
    expect(trainingVersion('v2', { added: 0, digest: 'e3b0c442' })).toBe('v2');
    // Different labels, different version.
    const other = mergeConfirmed(file, [{ postId: 3, category: '违章搭建', title: null, body: '物业乱收费', confirmedAt: at }], taxonomy);
    expect(other.digest).not.toBe(merged.digest);
  });
});
