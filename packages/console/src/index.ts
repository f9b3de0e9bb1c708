export {
  startCoordinatorConsole,
  type CoordinatorConsoleOptions,
  type RunningConsole,
} from './coordinator/coordinator-console.js';
export type { MetricsSource } from './coordinator/metrics-route.js';
export { ConsoleError, type ConsoleErrorCode } from './http/console-error.js';
export { CHALLENGE_LIFETIME_MS } from './login/login-challenges.js';
export { openAnalystConsoleLink, type ConsoleLink } from './login/open-console-link.js';
export {
  startParticipantConsole,
  DEFAULT_PARTICIPANT_CONSOLE,
  type ParticipantConsoleOptions,
  type RunningParticipantConsole,
} from './participant/participant-console.js';
export { CONSOLE_SECRET_FILE, CONSOLE_URL_FILE } from './participant/console-files.js';
export { LOGIN_LINK_LIFETIME_MS, mintParticipantConsoleLink } from './participant/login-link.js';
