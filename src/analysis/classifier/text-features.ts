const CJK = /[\u4e00-\u9fff]/;
const KEEP_TOKEN = /[\u4e00-\u9fffa-z]/;

/**
 * Sparse features of one document as counts: jieba words (`w`), adjacent word pairs (`b`) and
 * character 2- and 3-grams within runs of Chinese characters (`c`). Input is normalised text and its
 * tokens; digits and punctuation are dropped (they carry anonymised place codes and noise).
 */
export function textFeatures(text: string, tokens: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (f: string): void => {
    counts.set(f, (counts.get(f) ?? 0) + 1);
  };
  let prev: string | null = null;
  for (const raw of tokens) {
    const token = raw.trim();
    if (!token || !KEEP_TOKEN.test(token)) {
      prev = null;
      continue;
    }
    add(`w${token}`);
    if (prev !== null) add(`b${prev} ${token}`);
    prev = token;
  }
  for (const run of text.match(/[\u4e00-\u9fff]{2,}/g) ?? []) {
    for (let i = 0; i + 1 < run.length; i++) {
      add(`c${run.slice(i, i + 2)}`);
      if (i + 2 < run.length) add(`c${run.slice(i, i + 3)}`);
    }
  }
  return counts;
}

export const isChinese = (ch: string): boolean => CJK.test(ch);
