import { ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError } from './app-error';

function flatten(errors: ValidationError[], prefix = ''): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) out[path] = Object.values(error.constraints);
    Object.assign(out, flatten(error.children ?? [], path));
  }
  return out;
}

/** Request bodies and queries: unknown fields rejected, values converted, errors listed per field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return new AppError('invalid_request', `Invalid request: ${Object.entries(fields).map(([f, m]) => `${f}: ${m.join('; ')}`).join(' | ')}`, { fields });
    },
  });
}
