export { ZoneLineAnalytics, type ZoneLineAnalyticsOptions, type AnalyticsFrame } from './zone-line-analytics.js';
export { loadAnalyticsConfig, parseAnalyticsConfig, AnalyticsConfigError } from './analytics-config.js';
export {
  anchorPoint,
  boxArea,
  normalizeBox,
  pointInPolygon,
  segmentsCrossProperly,
  signedDistanceToLine,
  type Point,
} from './geometry.js';
export { LineCrossingTracker, type CountingLine, type CrossingDirection } from './line-crossing.js';
