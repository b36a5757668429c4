// Browser playback of a camera's live video with detection overlays, and the cloud-streaming player. No runtime
// dependencies; types from @sightline/protocol only.
export { LivePlayer, type LivePlayerOptions } from './live-player.js';
export { CloudPlayer, type CloudPlayerOptions, type CloudPlayerPhase, type CloudPlayerStatus } from './cloud-player.js';
export { SessionFeed, type SessionFeedOptions, type SessionFeedState, type SessionFeedStateChange } from './session-feed.js';
export { checkStreamSession, parseStreamSession, type StreamSessionCheck } from './stream-session-guard.js';
export { InputCapture, type InputCaptureOptions } from './input-capture.js';
export {
  InputChannels,
  INPUT_CHANNEL_LABELS,
  POINTER_LIFETIME_MS,
  channelFor,
  type InputChannelName,
  type InputChannelCounters,
} from './input-channels.js';
export { GamepadPoller, type GamepadInfo, type GamepadPollerOptions } from './gamepad-poller.js';
export {
  pictureNormalized,
  isSendableKeyCode,
  WheelAccumulator,
  RelativeMotion,
  gamepadState,
  neutralGamepadState,
  sameGamepadState,
  isNeutralGamepadState,
  GAMEPAD_DEADZONE,
  WHEEL_PIXELS_PER_NOTCH,
  WHEEL_LINES_PER_NOTCH,
  MAX_WHEEL_NOTCHES,
  MAX_RELATIVE_DELTA,
  type GamepadReading,
} from './input-mapping.js';
export { summarizeStreamStats, type StreamStats } from './stream-stats.js';
export { SseLineParser, type SseEvent } from './sse-reader.js';
export {
  WhepConnection,
  type TokenProvider,
  type WhepConnectionOptions,
  type WhepState,
  type WhepStateChange,
} from './whep-connection.js';
export { WhepError, whepErrorForStatus, type WhepErrorCode } from './whep-error.js';
export type { TokenTransport } from './whep-signalling.js';
export { summarizePlaybackStats, type PlaybackStats } from './playback-stats.js';
export { OverlayFeed, type OverlayFeedOptions, type OverlayFeedState, type OverlayFeedCounters } from './overlay-feed.js';
export { OverlayFrameBuffer, type OverlayBufferOptions } from './overlay-buffer.js';
export { checkOverlayFrame, parseOverlayFrame, type OverlayFrameCheck } from './overlay-guard.js';
export type { OverlaySource } from './overlay-source.js';
export { OverlaySlackTracker } from './overlay-slack.js';
export { AutoPlayoutDelay, type AutoPlayoutDelayOptions, type PlayoutDelayTarget } from './auto-playout-delay.js';
export { OverlayTimeliness, type OverlayTimelinessSnapshot } from './overlay-timeliness.js';
export { OverlayRenderer, type OverlayRendererOptions, type PresentedFrame } from './overlay-renderer.js';
export { ALL_LAYERS, objectColour, type OverlayLayers } from './overlay-drawing.js';
export { OverlayCanvas } from './overlay-canvas.js';
export { sceneFromCamera, EMPTY_SCENE, type Scene, type SceneZone, type SceneLine, type NormalizedPoint } from './scene.js';
export { fittedVideoRect, objectFitOf, FrameToDisplay, type ObjectFit, type Rect, type Size } from './video-fit.js';
export { trackColour, classColour, sceneColour, cssColour, hslToRgb, type Rgb } from './colours.js';
export { lineArrow, type Arrow } from './line-arrow.js';
export { rtpDiff, compareRtp, rtpAtOrAfter, rtpAdd, msToRtpTicks, RTP_VIDEO_CLOCK_HZ } from './rtp-time.js';
export { Backoff, type BackoffOptions } from './backoff.js';
export { cameraLiveUrls, streamSessionUrls, type CameraLiveUrls, type StreamSessionUrls } from './hub-urls.js';
export { liveTokenProvider, type LiveTokenOptions } from './live-token.js';
export type { Unsubscribe } from './listeners.js';
