import { Module } from '@nestjs/common';
import { DictionaryController } from './dictionary.controller';
import { DictionaryService } from './dictionary.service';
import { PlaceSuggestionsController } from './place-suggestions.controller';

/** The analysis endpoints of the API process (the pipeline itself runs in workers: AnalysisModule). */
@Module({ controllers: [PlaceSuggestionsController, DictionaryController], providers: [DictionaryService] })
export class AnalysisApiModule {}
