export {
  MAGNITUDE_BUCKETS,
  magnitudeBucket,
  bucketUpperEdge,
  addMagnitudes,
  boundsFromHistogram,
  magnitudeNorms,
} from './magnitude-histogram.js';
export {
  addBoundedMoments,
  boundedMomentsLength,
  boundedMomentsSensitivity,
  boundedMomentsNorms,
  momentsFromBounded,
} from './bounded-moments.js';
