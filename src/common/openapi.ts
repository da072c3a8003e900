import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/**
 * The OpenAPI description at /api/docs-json and Swagger UI at /api/docs. Request and response
 * schemas come from the DTO classes (the @nestjs/swagger compiler plugin reads their types and
 * class-validator decorators when `npm run build` compiles them).
 */
export function mountOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('tingfeng (听风) API')
      .setDescription('Public-opinion early warning for community governance. Log in with POST /auth/login and send the access token as a Bearer token.')
      .setVersion('1')
      .addBearerAuth()
      .addSecurityRequirements('bearer')
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json', customSiteTitle: 'tingfeng API' });
}
