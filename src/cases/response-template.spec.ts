import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { RESPONSE_KINDS } from './response.entity';
import { pickTemplate, renderTemplate, TemplateBook, templateVariables } from './response-template';

const book: TemplateBook = {
  default: { pacifying: '{{社区}}已关注', explanatory: '说明：{{说明}}' },
  物业纠纷: { pacifying: '{{社区}}已约{{对方}}沟通' },
};

describe('response templates', () => {
  it.each<[string | null, string, string | null]>([
    ['物业纠纷', 'pacifying', '物业纠纷/pacifying'],
    ['物业纠纷', 'explanatory', 'default/explanatory'],
    ['噪音扰民', 'pacifying', 'default/pacifying'],
    [null, 'pacifying', 'default/pacifying'],
    [null, 'follow_up', null],
  ])('%s × %s → %s', (category, kind, key) => expect(pickTemplate(book, category, kind)?.key ?? null).toBe(key));

  it('fills variables and names the missing ones', () => {
    expect(renderTemplate('{{社区}}已约{{ 对方 }}沟通', { 社区: '划船社区', 对方: '某物业公司' })).toBe('划船社区已约某物业公司沟通');
    expect(() => renderTemplate('说明：{{说明}}，{{社区}}', { 社区: '划船社区', 说明: ' ' })).toThrow('说明');
    expect(templateVariables('{{a}}{{b}}{{a}}')).toEqual(['a', 'b']);
  });

  it('ships a default template for every kind in config/templates/responses.yaml', () => {
    const shipped = load(readFileSync(join(__dirname, '../../config/templates/responses.yaml'), 'utf8')) as TemplateBook;
    for (const kind of RESPONSE_KINDS) expect(pickTemplate(shipped, '不存在的类别', kind)?.key).toBe(`default/${kind}`);
    const kinds = Object.values(shipped).flatMap((byKind) => Object.keys(byKind));
    expect(kinds.filter((kind) => !(RESPONSE_KINDS as readonly string[]).includes(kind))).toEqual([]);
  });
});
