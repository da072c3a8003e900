import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { IsString, MaxLength, MinLength } from 'class-validator';
import type { Actor } from './actor';
import { CurrentActor, Public } from './auth.decorators';
import { AuthService } from './auth.service';

export class LoginBody {
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  username: string;

  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password: string;
}

@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  login(@Body() body: LoginBody) {
    return this.auth.login(body.username, body.password);
  }

  @Get('me')
  me(@CurrentActor() actor: Actor) {
    return actor;
  }
}
