/** Kinds of personal data tingfeng recognises in post text. */
export type PersonalDataKind = 'phone' | 'id_card' | 'email' | 'plate';

export interface PersonalDataHit {
  kind: PersonalDataKind;
  start: number;
  end: number;
}

// Order matters: ID-card numbers (18 chars) before phone numbers (11 digits) so a phone is never found inside an ID.
const PATTERNS: { kind: PersonalDataKind; re: RegExp }[] = [
  { kind: 'email', re: /[a-z0-9][a-z0-9._%+-]{0,63}@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/gi },
  { kind: 'id_card', re: /(?<![0-9a-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9x](?![0-9a-z])/gi },
  { kind: 'phone', re: /(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)/g },
  { kind: 'phone', re: /(?<!\d)0\d{2,3}-\d{7,8}(?!\d)/g },
  {
    kind: 'plate',
    re: /[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][a-hj-np-z][·.\s]?(?:[a-hj-np-z0-9]{5}|[dfa-hj-np-z0-9]{6})(?![a-z0-9])/gi,
  },
];

const MASK: Record<PersonalDataKind, string> = { phone: '[电话]', id_card: '[身份证号]', email: '[邮箱]', plate: '[车牌]' };

/** Every phone number, ID-card number, e-mail address and licence plate in the text, non-overlapping, in order. */
export function findPersonalData(text: string): PersonalDataHit[] {
  const hits: PersonalDataHit[] = [];
  for (const { kind, re } of PATTERNS) {
    for (const m of text.matchAll(re)) {
      const start = m.index;
      const end = start + m[0].length;
      if (hits.some((h) => start < h.end && end > h.start)) continue;
      hits.push({ kind, start, end });
    }
  }
  return hits.sort((a, b) => a.start - b.start);
}

/**
 * The text with personal data replaced by a placeholder ([电话], [身份证号], [邮箱], [车牌]). Pure; use it
 * wherever post text is shown to people or sent out, and before anything is logged.
 */
export function maskPersonalData(text: string): string {
  let out = '';
  let at = 0;
  for (const hit of findPersonalData(text)) {
    out += text.slice(at, hit.start) + MASK[hit.kind];
    at = hit.end;
  }
  return out + text.slice(at);
}
