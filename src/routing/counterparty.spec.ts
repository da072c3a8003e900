import { Counterparty, extractCounterparty } from './counterparty';

describe('extractCounterparty', () => {
  it.each<[string, Counterparty | null]>([
    ['泰和花园的物业公司又乱收费了，电梯费涨了一倍', { kind: 'property_company', name: '物业公司' }],
    ['华城物业说停车费明年还要涨', { kind: 'property_company', name: '华城物业' }],
    ['找了宁波安居物业服务有限公司三次都没人管', { kind: 'property_company', name: '宁波安居物业服务有限公司' }],
    ['开发商承诺的车位到现在都没兑现', { kind: 'developer', name: '开发商' }],
    ['东城置业有限公司交房延期半年', { kind: 'developer', name: '东城置业有限公司' }],
    ['小区又停电了，供电公司一直不给说法', { kind: 'utility', name: '供电公司' }],
    ['自来水公司抢修完路面一直没恢复', { kind: 'utility', name: '自来水公司' }],
    ['阳光幼儿园门口每天早上堵成一团', { kind: 'school', name: '阳光幼儿园' }],
    ['楼下新开的烧烤店半夜还在营业，油烟很大', { kind: 'shop', name: '烧烤店' }],
    ['楼上装修天天早上七点就开始砸墙', null],
    ['物业和开发商互相推诿', { kind: 'property_company', name: '物业公司' }],
  ])('%s', (text, expected) => expect(extractCounterparty(text)).toEqual(expected));
});
