/**
 * The API's read view: every ingest replica follows {@code verdicts}, {@code alerts} and
 * {@code video.timeline} (every partition, from the beginning) into memory, and answers listings,
 * video details, alert history and the event stream from it. Nothing here writes to Kafka.
 */
package io.framewatch.ingest.view;
