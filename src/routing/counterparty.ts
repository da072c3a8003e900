/** Kinds of other party a dispute post can name. */
export type CounterpartyKind = 'property_company' | 'developer' | 'utility' | 'school' | 'shop';

export interface Counterparty {
  kind: CounterpartyKind;
  name: string;
}

// Suffixes that make a party, by kind, in priority order (a post naming the property company and a shop is about the property company).
const SUFFIXES: { kind: CounterpartyKind; re: RegExp; generic: string }[] = [
  { kind: 'property_company', re: /物业(?:服务|管理)?(?:有限)?公司|物业管理处|物业|物管/, generic: '物业公司' },
  { kind: 'developer', re: /(?:房地产开发|置业|地产|房产)(?:有限)?公司|开发商/, generic: '开发商' },
  { kind: 'utility', re: /供电(?:公司|局|所)|电力公司|自来水公司|水务(?:集团|公司)|燃气(?:公司|集团)|煤气公司|热力公司/, generic: '' },
  { kind: 'school', re: /小学|中学|幼儿园|学校|培训(?:机构|学校)/, generic: '学校' },
  { kind: 'shop', re: /超市|饭店|餐馆|餐厅|酒家|酒吧|烧烤店|大排档|便利店|理发店|美容院|棋牌室|KTV|网吧|菜场|商铺|小店|门店/, generic: '' },
];

// Characters that end a name when reading backwards from the suffix (particles, verbs, punctuation).
const STOP = /[的了在和与及说是被找向跟让给把对都又也就还这那个里从到去来要没不很太啊吧呢吗，。！？、；：“”‘’（）()\s,.!?;:"'【】《》…—-]/;
const NAME_CHAR = /[\u4e00-\u9fa5A-Za-z0-9]/;

function nameBefore(text: string, at: number, max = 10): string {
  let start = at;
  while (start > 0 && at - start < max && NAME_CHAR.test(text[start - 1]) && !STOP.test(text[start - 1])) start--;
  return text.slice(start, at);
}

/**
 * The other party a post names, if any: the property company (物业), the developer (开发商), a
 * utility (供电, 自来水, 燃气), a school or kindergarten, a shop or restaurant — with its name when the
 * post gives one ("华城物业", "阳光幼儿园"). Pure; reads only the text.
 */
export function extractCounterparty(text: string): Counterparty | null {
  for (const { kind, re, generic } of SUFFIXES) {
    const m = re.exec(text);
    if (!m) continue;
    const prefix = nameBefore(text, m.index);
    const name = prefix ? `${prefix}${m[0]}` : generic || m[0];
    // A shop or school without a name of its own ("楼下的超市") is still the party, by its kind.
    return { kind, name: name.length > 24 ? name.slice(-24) : name };
  }
  return null;
}
