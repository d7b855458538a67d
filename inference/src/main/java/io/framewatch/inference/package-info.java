/**
 * Model backends and model artefacts: {@link io.framewatch.inference.InferenceBackend} with its
 * ONNX Runtime implementation, manifests that state each model's contract, and the store that
 * fetches and verifies model files.
 */
package io.framewatch.inference;
