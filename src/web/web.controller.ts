import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../auth/auth.decorators';
import { notFound } from '../common/app-error';
import { projectRoot } from '../config/config.loader';
import { resolveStaticFile } from './static-files';

/** Where the console's files are: copied next to the build (nest-cli assets), else the sources. */
export function consoleRoot(): string {
  const beside = join(__dirname, 'public');
  return existsSync(beside) ? beside : join(projectRoot(), 'src', 'web', 'public');
}

/**
 * Serves the web console (plain HTML, CSS and ES modules; no build step) from the service itself,
 * so it runs under the same strict CSP and origin as the API. The files are public; the data is not.
 */
@Controller()
@Public()
export class WebController {
  private readonly root = consoleRoot();

  /** The service opens straight into the console. */
  @Get()
  home(@Res() res: Response): void {
    res.redirect(302, '/console/');
  }

  @Get(['console', 'console/{*path}'])
  file(@Req() req: Request, @Res() res: Response): void {
    // Relative links in the console need the trailing slash.
    if (req.path === '/console') return res.redirect(301, '/console/');
    const target = resolveStaticFile(this.root, req.path.replace(/^\/console\/?/, ''));
    if ('rejected' in target || !existsSync(target.file)) throw notFound('Console file', req.path);
    res.type(target.contentType);
    res.sendFile(target.file, { dotfiles: 'deny', headers: { 'Cache-Control': 'no-cache' } });
  }
}
