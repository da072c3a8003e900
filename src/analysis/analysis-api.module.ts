import { Module } from '@nestjs/common';
import { PlaceSuggestionsController } from './place-suggestions.controller';

/** The analysis endpoints of the API process (the pipeline itself runs in workers: AnalysisModule). */
@Module({ controllers: [PlaceSuggestionsController] })
export class AnalysisApiModule {}
