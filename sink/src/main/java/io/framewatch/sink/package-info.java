/**
 * The sink stage: a Kafka Streams application that turns video events and frame analyses into
 * per-video verdicts, materialised in a state store and published to {@code verdicts}.
 */
package io.framewatch.sink;
