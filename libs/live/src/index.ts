export { LiveGateway } from './live.gateway';
export { LiveHub } from './live.hub';
export { LiveApiModule, LiveWorkerModule } from './live.module';
export { liveChannel } from './live-events';
