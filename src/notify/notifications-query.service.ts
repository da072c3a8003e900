import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError, notFound } from '../common/app-error';
import { Notification } from './notification.entity';
import { NotifyOutbox } from './notify-outbox.service';

/** Reads the outbox: a case's delivery log, a user's in-app inbox, the dead letters. */
@Injectable()
export class NotificationsQueryService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: NotifyOutbox,
  ) {}

  forCase(caseId: number): Promise<Notification[]> {
    return this.db.getRepository(Notification).find({ where: { caseId }, order: { id: 'ASC' } });
  }

  mine(userId: number): Promise<Notification[]> {
    return this.db.getRepository(Notification).find({ where: { recipientUserId: userId, channel: 'inapp' }, order: { id: 'DESC' }, take: 100 });
  }

  deadLetters(): Promise<Notification[]> {
    return this.db.getRepository(Notification).find({ where: { status: 'dead' }, order: { id: 'DESC' }, take: 500 });
  }

  /** A dead letter goes back to pending and is delivered again (a fresh set of attempts). */
  async retry(id: number): Promise<Notification> {
    const repo = this.db.getRepository(Notification);
    const n = await repo.findOneBy({ id });
    if (!n) throw notFound('Notification', id);
    if (n.status !== 'dead') throw new AppError('conflict', `Notification ${id} is ${n.status}, not dead`);
    await repo.update(id, { status: 'pending' });
    await this.outbox.redispatch(id);
    return repo.findOneByOrFail({ id });
  }
}
