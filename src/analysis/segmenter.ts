import * as nodejieba from 'nodejieba';

export interface TaggedWord {
  word: string;
  tag: string;
}

/**
 * nodejieba, loaded once per process (its dictionaries take a moment and some memory). Words added
 * here (gazetteer aliases, lexicon and rule terms) segment as one token from then on.
 */
class Segmenter {
  private loaded = false;
  private readonly added = new Set<string>();

  private ensureLoaded(): void {
    if (!this.loaded) {
      nodejieba.load();
      this.loaded = true;
    }
  }

  /** Adds user-dictionary words (once each); returns how many were new. */
  addWords(words: Iterable<string>, tag?: string): number {
    this.ensureLoaded();
    let added = 0;
    for (const word of words) {
      if (word.length > 1 && !this.added.has(word) && !/\s/.test(word)) {
        if (tag) nodejieba.insertWord(word, tag);
        else nodejieba.insertWord(word);
        this.added.add(word);
        added++;
      }
    }
    return added;
  }

  cut(text: string): string[] {
    this.ensureLoaded();
    return nodejieba.cut(text);
  }

  /**
   * The words of a title and a body in one call: jieba never joins words across a line break, so the
   * words of `title\nbody` are those of the title, the break, then those of the body. Falls back to
   * two calls if the break is not where the title ends.
   */
  cutPair(title: string, body: string): [string[], string[]] {
    const words = this.cut(`${title}\n${body}`);
    let length = 0;
    let i = 0;
    while (i < words.length && length < title.length) length += words[i++].length;
    if (length !== title.length || words[i] !== '\n') return [this.cut(title), this.cut(body)];
    return [words.slice(0, i), words.slice(i + 1)];
  }

  /** Words with part-of-speech tags (ns: place names). */
  tag(text: string): TaggedWord[] {
    this.ensureLoaded();
    return text ? nodejieba.tag(text) : [];
  }

  /** Top keywords by TF-IDF with jieba's bundled IDF (used when no corpus IDF is loaded). */
  keywords(text: string, top: number): string[] {
    this.ensureLoaded();
    return nodejieba.extract(text, top).map((k: { word: string }) => k.word);
  }
}

export const segmenter = new Segmenter();

/** Start offsets of the words in `text` (words are consecutive pieces of it). */
export function wordStarts(text: string, words: readonly { word: string }[] | readonly string[], base = 0): number[] {
  const starts: number[] = [];
  let at = 0;
  for (const w of words) {
    const word = typeof w === 'string' ? w : w.word;
    const found = text.indexOf(word, at);
    const start = found === -1 ? at : found;
    starts.push(base + start);
    at = start + word.length;
  }
  return starts;
}
