import { Module } from '@nestjs/common';
import { AreasModule } from '../areas/areas.module';
import { PostsModule } from '../posts/posts.module';
import { RulesModule } from '../rules/rules.module';
import { AnalysisService } from './analysis.service';
import { DictionaryService } from './dictionary.service';

@Module({ imports: [AreasModule, PostsModule, RulesModule], providers: [AnalysisService, DictionaryService], exports: [AnalysisService] })
export class AnalysisModule {}
