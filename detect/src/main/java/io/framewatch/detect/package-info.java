/**
 * The detect stage: BlazeFace face detection (anchors decoded here), the CADDM face crop, and the
 * deepfake classifier named in the model manifest, from {@code frames.detect} to
 * {@code detections}.
 */
package io.framewatch.detect;
