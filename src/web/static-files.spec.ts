import { join } from 'node:path';
import { resolveStaticFile } from './static-files';

describe('resolveStaticFile', () => {
  const root = '/srv/console';
  it.each([
    ['', join(root, 'index.html'), 'text/html; charset=utf-8'],
    ['index.html', join(root, 'index.html'), 'text/html; charset=utf-8'],
    ['js/app.js', join(root, 'js/app.js'), 'text/javascript; charset=utf-8'],
    ['console.css', join(root, 'console.css'), 'text/css; charset=utf-8'],
    ['img/logo.svg', join(root, 'img/logo.svg'), 'image/svg+xml'],
    ['JS/APP.JS', join(root, 'JS/APP.JS'), 'text/javascript; charset=utf-8'],
  ])('serves %p', (path, file, contentType) => {
    expect(resolveStaticFile(root, path)).toEqual({ file, contentType });
  });

  it.each([
    ['../secret.js'],
    ['js/../../etc/passwd.js'],
    ['%2e%2e/secret.js'],
    ['js/%2e%2e%2f%2e%2e%2fsecret.js'],
    ['.env'],
    ['js/.hidden.js'],
    ['js//app.js'],
    ['js\\app.js'],
    ['app.ts'],
    ['server.map'],
    ['%E0%A4%A'],
    ['a\0.js'],
  ])('refuses %p', (path) => {
    expect(resolveStaticFile(root, path)).toEqual({ rejected: 'not_found' });
  });
});
