import { Module } from '@nestjs/common';
import { WebController } from './web.controller';

/** The browser console for workers, officials and operators (issue 7). */
@Module({ controllers: [WebController] })
export class WebModule {}
