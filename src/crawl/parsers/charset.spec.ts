import * as iconv from 'iconv-lite';
import { charsetFromContentType, decodeBody, resolveEncoding, sniffCharset } from './charset';

const TEXT = '江东邻里论坛：三号楼物业费又涨了，业主们很不满意。';

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
const gbk = (text: string) => new Uint8Array(iconv.encode(text, 'gbk'));
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

describe('decodeBody', () => {
  it('decodes UTF-8 when nothing is declared', () => {
    expect(decodeBody(utf8(TEXT))).toBe(TEXT);
  });

  it('decodes UTF-8 declared in the header', () => {
    expect(decodeBody(utf8(TEXT), 'text/html; charset=UTF-8')).toBe(TEXT);
  });

  it.each(['text/html; charset=GBK', 'text/html;charset=gb2312', 'text/html; charset="gbk"', 'text/html; Charset=GB18030'])(
    'decodes GBK bytes declared by the header %s',
    (contentType) => {
      expect(decodeBody(gbk(TEXT), contentType)).toBe(TEXT);
    },
  );

  it('decodes characters only GB18030 has when the label says GBK', () => {
    const text = '€ 𠀀 业主';
    expect(decodeBody(new Uint8Array(iconv.encode(text, 'gb18030')), 'text/html; charset=gbk')).toBe(text);
  });

  it.each([
    ['<meta charset>', '<!DOCTYPE html><html><head><meta charset="gbk"><title>论坛</title></head><body>'],
    ['<meta charset> without quotes', '<html><head><META CHARSET=GB2312></head><body>'],
    ['<meta http-equiv>', '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk" /></head><body>'],
    ['<?xml encoding?>', '<?xml version="1.0" encoding="GBK"?><rss version="2.0"><channel><title>'],
  ])('decodes GBK declared by %s', (_, head) => {
    const bytes = concat(gbk(head), gbk(TEXT));
    expect(decodeBody(bytes, 'text/html')).toBe(head + TEXT);
  });

  it('ignores a declaration beyond the first 2 KB', () => {
    const filler = `<!-- ${'x'.repeat(2100)} -->`;
    const bytes = utf8(`${filler}<meta charset="gbk">${TEXT}`);
    expect(decodeBody(bytes)).toContain(TEXT);
  });

  it('prefers the header over a <meta> declaration', () => {
    const bytes = utf8(`<meta charset="gbk">${TEXT}`);
    expect(decodeBody(bytes, 'text/html; charset=utf-8')).toBe(`<meta charset="gbk">${TEXT}`);
  });

  it('decodes by a UTF-8 BOM, strips it, and trusts it over a wrong header', () => {
    const bytes = concat(new Uint8Array([0xef, 0xbb, 0xbf]), utf8(TEXT));
    expect(decodeBody(bytes)).toBe(TEXT);
    expect(decodeBody(bytes, 'text/html; charset=gbk')).toBe(TEXT);
  });

  it('decodes by a UTF-16LE BOM', () => {
    const bytes = concat(new Uint8Array([0xff, 0xfe]), new Uint8Array(Buffer.from(TEXT, 'utf16le')));
    expect(decodeBody(bytes)).toBe(TEXT);
  });

  it('falls back to UTF-8 for an unknown label instead of throwing', () => {
    expect(decodeBody(utf8(TEXT), 'text/html; charset=x-martian')).toBe(TEXT);
    expect(decodeBody(utf8(`<meta charset="klingon">${TEXT}`))).toBe(`<meta charset="klingon">${TEXT}`);
  });

  it('skips an unknown header label and uses the <meta> declaration', () => {
    const bytes = concat(gbk('<meta charset="gbk">'), gbk(TEXT));
    expect(decodeBody(bytes, 'text/html; charset=x-martian')).toBe(`<meta charset="gbk">${TEXT}`);
  });

  it('reads a view into a larger buffer without touching bytes outside it', () => {
    const backing = Buffer.concat([Buffer.from('前缀'), Buffer.from(TEXT), Buffer.from('后缀')]);
    const view = new Uint8Array(backing.buffer, backing.byteOffset + Buffer.byteLength('前缀'), Buffer.byteLength(TEXT));
    expect(decodeBody(view)).toBe(TEXT);
  });
});

describe('charset helpers', () => {
  it.each([
    [undefined, undefined],
    ['text/html', undefined],
    ['text/html; charset=gbk', 'gbk'],
    ['text/html; charset="utf-8"; boundary=x', 'utf-8'],
  ])('charsetFromContentType(%p) = %p', (contentType, expected) => {
    expect(charsetFromContentType(contentType)).toBe(expected);
  });

  it.each([
    ['GBK', 'gb18030'],
    ['gb2312', 'gb18030'],
    ['x-gbk', 'gb18030'],
    ['UTF8', 'utf-8'],
    ['iso-8859-1', 'windows-1252'],
    ['big5', 'big5'],
    ['x-martian', undefined],
    ['', undefined],
  ])('resolveEncoding(%p) = %p', (label, expected) => {
    expect(resolveEncoding(label)).toBe(expected);
  });

  it('sniffs nothing from a page without a declaration', () => {
    expect(sniffCharset(utf8(`<html><body>${TEXT}</body></html>`))).toBeUndefined();
  });
});
