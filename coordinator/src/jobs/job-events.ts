import { EventEmitter } from 'node:events';

/** Job progress notifications for watchers; the durable truth stays in the store. */
export class JobEvents extends EventEmitter {
  constructor() {
    super();
    this.setMaxListeners(0);
  }
  publish(jobId: string, message: string): void {
    this.emit(jobId, message);
    this.emit('*', jobId, message);
  }
}
