import { Controller, Get, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { notFound } from '../common/app-error';
import { Roles } from './auth.decorators';
import { AuthService } from './auth.service';
import { User } from './user.entity';

@Controller('users')
@Roles('admin')
export class UsersController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly auth: AuthService,
  ) {}

  @Get()
  list() {
    return this.db.getRepository(User).find({ order: { id: 'ASC' } });
  }

  /** Ends every session of the user at once (a lost phone, a departure). */
  @Post(':id/revoke-sessions')
  @HttpCode(200)
  async revokeSessions(@Param('id', ParseIntPipe) id: number) {
    if (!(await this.db.getRepository(User).existsBy({ id }))) throw notFound('User', id);
    return { revoked: await this.auth.revokeAll(id) };
  }
}
