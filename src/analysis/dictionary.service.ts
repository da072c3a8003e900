import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor';
import { AppError } from '../common/app-error';
import { DictionaryTerm } from './dictionary-term.entity';
import { normalizeText } from './text-normalizer';

/** How long a process trusts its copy of the dictionary (other processes may change it). */
const WORDS_TTL_MS = 30_000;

@Injectable()
export class DictionaryService {
  private cached?: { words: string[]; at: number };

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  list(): Promise<DictionaryTerm[]> {
    return this.db.getRepository(DictionaryTerm).find({ order: { term: 'ASC' } });
  }

  /** Adds a word (normalised as the matchers see text); adding one that exists is a conflict. */
  async add(term: string, note: string | undefined, actor: Actor): Promise<DictionaryTerm> {
    const word = normalizeText(term);
    if (word.length < 2 || /\s/.test(word)) throw new AppError('invalid_request', 'term must be one word of at least 2 characters', { field: 'term' });
    const repo = this.db.getRepository(DictionaryTerm);
    if (await repo.existsBy({ term: word })) throw new AppError('conflict', `"${word}" is already in the dictionary`);
    const saved = await repo.save({ term: word, note: note ?? null, createdBy: actor.id });
    this.cached = undefined;
    return saved;
  }

  async remove(term: string): Promise<void> {
    const result = await this.db.getRepository(DictionaryTerm).delete({ term: normalizeText(term) });
    if (!result.affected) throw new AppError('not_found', `"${term}" is not in the dictionary`);
    this.cached = undefined;
  }

  /** The words, cached per process, for the segmenter. */
  async words(): Promise<string[]> {
    if (this.cached && Date.now() - this.cached.at < WORDS_TTL_MS) return this.cached.words;
    const words = (await this.db.getRepository(DictionaryTerm).find({ select: { term: true } })).map((t) => t.term);
    this.cached = { words, at: Date.now() };
    return words;
  }
}
