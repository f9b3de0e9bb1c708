export {
  type AdaptiveClipState,
  adaptiveClipState,
  clipIndicator,
  nextClip,
  updateClipState,
  effectiveNoiseMultiplier,
} from './adaptive-clip.js';
