import { Module } from '@nestjs/common';
import { AreasModule } from '../areas/areas.module';
import { WebAreasController } from './web-areas.controller';
import { WebController } from './web.controller';

/** The browser console for workers, officials and operators (issue 7). */
@Module({ imports: [AreasModule], controllers: [WebAreasController, WebController] })
export class WebModule {}
