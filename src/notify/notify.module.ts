import { Module } from '@nestjs/common';
import { AreasModule } from '../areas/areas.module';
import { NotificationStream } from './notification-stream.service';
import { NotificationsQueryService } from './notifications-query.service';
import { NotificationsController } from './notifications.controller';
import { NotifyDelivery } from './notify-delivery.service';
import { NotifyOutbox } from './notify-outbox.service';

/** The outbox, its queries and the console stream. The delivery processor and relay run in workers (WorkerModule). */
@Module({
  imports: [AreasModule],
  controllers: [NotificationsController],
  providers: [NotifyOutbox, NotificationsQueryService, NotificationStream, NotifyDelivery],
  exports: [NotifyOutbox, NotificationsQueryService, NotificationStream, NotifyDelivery],
})
export class NotifyModule {}
