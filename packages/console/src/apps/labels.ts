import type { EndReason, InputProfile, StreamSessionState, VideoCodec } from '@sightline/protocol';

export const CODEC_LABEL: Record<VideoCodec, string> = { h264: 'H.264', vp8: 'VP8' };

export const INPUT_PROFILE_LABEL: Record<InputProfile, string> = {
  'keyboard-mouse': 'Keyboard and mouse',
  'pointer-lock': 'Mouse look (pointer lock)',
  gamepad: 'Gamepad',
};

export const SESSION_STATE_LABEL: Record<StreamSessionState, string> = {
  queued: 'queued',
  starting: 'starting',
  running: 'running',
  ending: 'ending',
  ended: 'ended',
};

/** Why a session ended, for the player. */
export const END_REASON_TEXT: Record<EndReason, string> = {
  ended: 'The session was ended.',
  'player-left': 'The connection was lost for too long.',
  'idle-timeout': 'There was no input for too long.',
  'max-duration': 'The session reached its maximum length.',
  'app-exited': 'The app closed.',
  'display-lost': "The app's display stopped.",
  'capture-failed': 'The picture could not be captured.',
  'start-failed': 'The app could not be started.',
  'host-lost': 'The host running it went offline.',
  cancelled: 'You left the queue.',
  'hub-restarted': 'The hub restarted.',
};

export function ordinal(n: number): string {
  const rem100 = n % 100;
  if (rem100 >= 11 && rem100 <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}
