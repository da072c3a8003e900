/** Words that say nothing about a dispute (besides punctuation, digits and single characters). */
const STOPWORDS = new Set(
  '我们 你们 他们 她们 大家 自己 这个 那个 这些 那些 什么 怎么 为什么 因为 所以 但是 而且 如果 已经 还是 就是 没有 可以 不能 不是 现在 目前 问题 情况 希望 请问 您好 你好 谢谢 领导 相关 有关 部门 进行 一个 一些 这样 那样 非常 特别 一直 多次 其他 以及 或者 还有 由于 对于 关于 根据 通过 时候 时间 今天 昨天 明天 每天 地方 方面 需要 应该 能够 一下 一样 本人 居民 业主 市民 反映 解决 处理 谢谢您 尊敬'.split(' '),
);

export interface IdfTable {
  kind: 'idf';
  version: string;
  documents: number;
  /** word → idf (rounded to 3 decimals). */
  idf: Record<string, number>;
  /** For words the corpus never had. */
  defaultIdf: number;
}

export function isKeywordCandidate(word: string): boolean {
  return word.length >= 2 && /^[\u4e00-\u9fffa-z][\u4e00-\u9fffa-z0-9]*$/.test(word) && !STOPWORDS.has(word) && !/^[a-z]\d*$/.test(word);
}

/** Fits an IDF table (smoothed: ln((1+N)/(1+df)) + 1) on the words of a corpus, one array per document. */
export function fitIdf(documents: Iterable<readonly string[]>, version: string, minDf = 2): IdfTable {
  const df = new Map<string, number>();
  let n = 0;
  for (const words of documents) {
    n++;
    for (const w of new Set(words)) if (isKeywordCandidate(w)) df.set(w, (df.get(w) ?? 0) + 1);
  }
  const idf: Record<string, number> = {};
  for (const [w, d] of [...df.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (d >= minDf) idf[w] = Math.round((Math.log((1 + n) / (1 + d)) + 1) * 1000) / 1000;
  }
  return { kind: 'idf', version, documents: n, idf, defaultIdf: Math.round((Math.log((1 + n) / 2) + 1) * 1000) / 1000 };
}

const idfMaps = new WeakMap<IdfTable, Map<string, number>>();

/** The top words of a document by TF-IDF (ties: the earlier word first). */
export function topKeywords(words: readonly string[], table: IdfTable, top: number): string[] {
  let idf = idfMaps.get(table);
  if (!idf) idfMaps.set(table, (idf = new Map(Object.entries(table.idf))));
  const tf = new Map<string, number>();
  for (const w of words) if (isKeywordCandidate(w)) tf.set(w, (tf.get(w) ?? 0) + 1);
  return [...tf.entries()]
    .map(([w, n], order) => ({ w, score: (1 + Math.log(n)) * (idf.get(w) ?? table.defaultIdf), order }))
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, top)
    .map((x) => x.w);
}
