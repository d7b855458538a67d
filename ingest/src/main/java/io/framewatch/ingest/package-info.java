/**
 * The ingest stage: the Vert.x HTTP API that stores uploads in the media store, queues
 * {@code video.jobs}, and answers status queries from a view of {@code verdicts}.
 */
package io.framewatch.ingest;
