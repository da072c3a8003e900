import { readFileSync } from 'node:fs';
import { segmenter } from '../segmenter';
import { normalizeText } from '../text-normalizer';
import { textFeatures } from './text-features';

export interface CorpusMessage {
  id: string | number;
  title?: string | null;
  body: string;
  time?: string | null;
  label?: string;
  likes?: number;
  dislikes?: number;
}

/** Reads a JSON Lines file (one message a line; blank lines skipped). */
export function readJsonl<T = CorpusMessage>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as T;
      } catch {
        throw new Error(`${path}:${i + 1}: not valid JSON`);
      }
    });
}

/**
 * The classifier's view of a post from its normalised title and body and their words: the title
 * counts twice (it says most per character).
 */
export function featuresFromWords(title: string, titleWords: readonly string[], body: string, bodyWords: readonly string[]): Map<string, number> {
  return textFeatures(`${title}\n${title}\n${body}`, [...titleWords, '\n', ...titleWords, '\n', ...bodyWords]);
}

/** A raw title and body normalised and segmented (one cut each), as analyseText does. */
export function documentWords(title: string | null | undefined, body: string): { title: string; titleWords: string[]; body: string; bodyWords: string[] } {
  const t = normalizeText(title ?? '');
  const b = normalizeText(body);
  const [titleWords, bodyWords] = segmenter.cutPair(t, b);
  return { title: t, titleWords, body: b, bodyWords };
}

/** Features of raw title and body (normalised and segmented here). */
export function documentFeatures(title: string | null | undefined, body: string): Map<string, number> {
  const d = documentWords(title, body);
  return featuresFromWords(d.title, d.titleWords, d.body, d.bodyWords);
}
