import * as nodejieba from 'nodejieba';

/**
 * nodejieba, loaded once per process (its dictionaries take a moment and some memory). Words added
 * here (gazetteer aliases, rule terms) segment as one token from then on.
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

  addWords(words: Iterable<string>): void {
    this.ensureLoaded();
    for (const word of words) {
      if (word.length > 1 && !this.added.has(word)) {
        nodejieba.insertWord(word);
        this.added.add(word);
      }
    }
  }

  cut(text: string): string[] {
    this.ensureLoaded();
    return nodejieba.cut(text);
  }

  /** Top keywords by TF-IDF with jieba's bundled IDF. */
  keywords(text: string, top: number): string[] {
    this.ensureLoaded();
    return nodejieba.extract(text, top).map((k: { word: string }) => k.word);
  }
}

export const segmenter = new Segmenter();
