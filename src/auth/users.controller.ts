import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Patch, Post } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { notFound } from '../common/app-error';
import { AdminService } from './admin.service';
import { AuditSubject, Roles } from './auth.decorators';
import { AuthService } from './auth.service';
import { User } from './user.entity';
import { CreateUserBody, UpdateUserBody } from './users.dto';

/** User management for admins. Generated passwords are returned once and never stored in clear. */
@Controller('users')
@Roles('admin')
export class UsersController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly auth: AuthService,
    private readonly admin: AdminService,
  ) {}

  @Get()
  list() {
    return this.db.getRepository(User).find({ order: { id: 'ASC' } });
  }

  @Post()
  create(@Body() body: CreateUserBody) {
    return this.admin.createUser(body);
  }

  @Patch(':id')
  @AuditSubject('users')
  update(@Param('id', ParseIntPipe) id: number, @Body() body: UpdateUserBody) {
    return this.admin.updateUser(id, body);
  }

  @Post(':id/reset-password')
  @AuditSubject('users')
  @HttpCode(200)
  resetPassword(@Param('id', ParseIntPipe) id: number) {
    return this.admin.resetPassword({ id });
  }

  /** Ends every session of the user at once (a lost phone, a departure). */
  @Post(':id/revoke-sessions')
  @AuditSubject('users')
  @HttpCode(200)
  async revokeSessions(@Param('id', ParseIntPipe) id: number) {
    if (!(await this.db.getRepository(User).existsBy({ id }))) throw notFound('User', id);
    return { revoked: await this.auth.revokeAll(id) };
  }
}
