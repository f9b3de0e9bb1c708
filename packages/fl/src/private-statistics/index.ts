export { MAGNITUDE_BUCKETS, magnitudeBucket, bucketUpperEdge, addMagnitudes, boundsFromHistogram } from './magnitude-histogram.js';
export { addBoundedMoments, boundedMomentsLength, boundedMomentsSensitivity, momentsFromBounded } from './bounded-moments.js';
