import { readFileSync } from 'node:fs';
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
  /** First three characters of every word that tag() can return as ns with 3 or more characters (read with the dictionaries). */
  private longPlaceStarts = new Set<string>();
  /** Bit per code unit that begins one of longPlaceStarts (most positions of a text are turned away by it). */
  private longPlaceFirst = new Int32Array(65536 >>> 5);

  private ensureLoaded(): void {
    if (!this.loaded) {
      nodejieba.load();
      this.longPlaceStarts = longPlaceStarts();
      for (const start of this.longPlaceStarts) this.markLongPlaceStart(start);
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
        if (tag === 'ns' && word.length >= 3) {
          this.longPlaceStarts.add(word.slice(0, 3));
          this.markLongPlaceStart(word);
        }
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

  /**
   * Whether tag(text) could hold a word of 3 or more characters tagged ns. jieba tags a word from its
   * dictionary entry (the bundled and user dictionaries, and words added here with a tag); words not
   * in it are tagged eng, m or x. So if no 3 characters of the text begin such an entry, it cannot.
   * (An entry re-added without a tag loses its ns, which only makes this answer yes more often.)
   */
  mayTagLongPlace(text: string): boolean {
    this.ensureLoaded();
    const first = this.longPlaceFirst;
    for (let i = 0; i + 3 <= text.length; i++) {
      const unit = text.charCodeAt(i);
      if ((first[unit >>> 5] & (1 << (unit & 31))) !== 0 && this.longPlaceStarts.has(text.slice(i, i + 3))) return true;
    }
    return false;
  }

  private markLongPlaceStart(start: string): void {
    const unit = start.charCodeAt(0);
    this.longPlaceFirst[unit >>> 5] |= 1 << (unit & 31);
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

/** First three characters of the ns words of 3 or more characters in the dictionaries nodejieba.load() reads by default. */
function longPlaceStarts(): Set<string> {
  const starts = new Set<string>();
  const { DEFAULT_DICT, DEFAULT_USER_DICT } = nodejieba as unknown as { DEFAULT_DICT: string; DEFAULT_USER_DICT: string };
  for (const file of [DEFAULT_DICT, DEFAULT_USER_DICT]) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const fields = line.trim().split(/\s+/);
      if (fields.length >= 2 && fields[fields.length - 1] === 'ns' && fields[0].length >= 3) starts.add(fields[0].slice(0, 3));
    }
  }
  return starts;
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
