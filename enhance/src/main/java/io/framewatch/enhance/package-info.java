/** The enhance stage: super-resolution of frame bursts from {@code frames.enhance}. */
package io.framewatch.enhance;
