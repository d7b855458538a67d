/**
 * The decode stage: FFmpeg (JavaCV) workers that turn {@code video.jobs} into sampled YUV420P
 * frames on {@code frames.detect} and probe/progress/end/failure events on {@code video.events}.
 */
package io.framewatch.decode;
